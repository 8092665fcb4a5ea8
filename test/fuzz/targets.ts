import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { encodeProtobufObject } from '../../internal/api/index.js';
import { grammarText, mutatedBytes, mutatedText, nastyJson, nastyString, objectName } from './arbitraries.js';

/**
 * One fuzz target per decoder or parser that takes client input, each a generator of HTTP requests
 * that reach it through the real apiserver. `http` targets go over a socket (watches stream, so
 * only their status line is awaited); the others through fastify's inject.
 */
export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
}

export interface FuzzTarget {
  name: string;
  transport: 'inject' | 'http';
  requests: fc.Arbitrary<FuzzRequest>;
}

const NS = '/api/v1/namespaces/default';
const CM = `${NS}/configmaps`;
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const JSON_CT = { 'content-type': 'application/json' };
/** encodeURIComponent, except that a lone surrogate becomes the invalid UTF-8 it would be in Go. */
const q = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s.split('').map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
  }
};

/** Objects the fuzzer's requests find in the store: patches and updates need something to work on. */
export const SEED_OBJECTS: { url: string; body: Record<string, unknown> }[] = [
  ...['a', 'b', 'c'].map((name) => ({ url: CM, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: name } }, data: { k: 'v' } } })),
  {
    url: DEPLOY,
    body: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web-1' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] }] } },
      },
    },
  },
];

const configMap = fc.record({
  apiVersion: fc.oneof(fc.constant('v1'), nastyString),
  kind: fc.oneof(fc.constant('ConfigMap'), nastyString),
  metadata: fc.oneof(
    fc.record({ name: objectName, labels: fc.dictionary(nastyString, nastyString, { maxKeys: 3 }), annotations: fc.dictionary(nastyString, nastyString, { maxKeys: 3 }) }, { requiredKeys: [] }),
    nastyJson,
  ),
  data: fc.oneof(fc.dictionary(nastyString, nastyString, { maxKeys: 4 }), nastyJson),
  binaryData: fc.dictionary(nastyString, nastyString, { maxKeys: 2 }),
  extra: nastyJson,
}, { requiredKeys: ['apiVersion', 'kind'] }).map((o) => {
  // Unknown top-level fields under nasty names (the Warning-header defect came from one).
  const { extra, ...rest } = o as Record<string, unknown>;
  return extra && typeof extra === 'object' && !Array.isArray(extra) ? { ...(extra as object), ...rest } : rest;
});

const jsonText = fc.oneof(configMap.map((o) => JSON.stringify(o)), nastyJson.map((v) => JSON.stringify(v) ?? ''));
const writeMethod = fc.constantFrom<'POST' | 'PUT'>('POST', 'PUT');
const writeUrl = (method: 'POST' | 'PUT', name: string) => (method === 'POST' ? CM : `${CM}/${q(name)}`);

const jsonBody: FuzzTarget = {
  name: 'json-body',
  transport: 'inject',
  requests: fc.tuple(writeMethod, objectName, fc.oneof(jsonText, mutatedText(jsonText))).map(([method, name, payload]) => ({ method, url: writeUrl(method, name), headers: JSON_CT, payload })),
};

const YAML_TOKENS = ['a', ': ', '\n', '  ', '- ', '&x ', '*x', '&y ', '*y', '[', ']', '{', '}', ', ', '!!str ', '!!binary ', '!!map ', '? ', '|', '>', '"', "'", '#', '---\n', '...\n', '%YAML 1.2\n', '<<: ', 'null', '~', '.inf', '0x1F', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\n'];
const yamlText = fc.oneof(configMap.map((o) => toYaml(o)), grammarText(YAML_TOKENS, 40), mutatedText(configMap.map((o) => toYaml(o))));

const yamlBody: FuzzTarget = {
  name: 'yaml-body',
  transport: 'inject',
  requests: fc.tuple(writeMethod, objectName, yamlText).map(([method, name, payload]) => ({ method, url: writeUrl(method, name), headers: { 'content-type': 'application/yaml' }, payload })),
};

const validProtobuf = fc.tuple(objectName, fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 })).map(([name, data]) => {
  try {
    return encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: data }, data });
  } catch {
    return encodeProtobufObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
  }
});
const protobufBody: FuzzTarget = {
  name: 'protobuf-body',
  transport: 'inject',
  requests: fc
    .tuple(writeMethod, objectName, fc.oneof(validProtobuf, mutatedBytes(validProtobuf), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.concat([Buffer.from('k8s\0'), b]))))
    .map(([method, name, payload]) => ({ method, url: writeUrl(method, name), headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, payload })),
};

const LABEL_TOKENS = ['app', 'tier', 'a', 'x/y', 'example.com/k', '=', '==', '!=', ',', ' in ', ' notin ', '(', ')', '!', ' ', 'web', 'db', '', '-', '_', '.', '.a', 'a.'];
const FIELD_TOKENS = ['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName', 'type', '=', '==', '!=', ',', '\\', '\\,', '\\=', 'a', 'default', ' ', '', 'involvedObject.kind'];
const listUrl = fc.constantFrom(CM, '/api/v1/configmaps', '/api/v1/pods', `${NS}/events`, '/api/v1/nodes', DEPLOY, '/api/v1/namespaces', `${NS}/secrets`);

const labelSelector: FuzzTarget = {
  name: 'label-selector',
  transport: 'inject',
  requests: fc.tuple(listUrl, fc.oneof(grammarText(LABEL_TOKENS), nastyString)).map(([url, s]) => ({ method: 'GET', url: `${url}?labelSelector=${q(s)}` })),
};

const fieldSelector: FuzzTarget = {
  name: 'field-selector',
  transport: 'inject',
  requests: fc.tuple(listUrl, fc.oneof(grammarText(FIELD_TOKENS), nastyString)).map(([url, s]) => ({ method: 'GET', url: `${url}?fieldSelector=${q(s)}` })),
};

const PATH_TOKENS = ['/', 'data', 'metadata', 'labels', 'annotations', 'name', '~0', '~1', '~2', '~', '-', '0', '1', '99', 'k', 'spec', 'template', 'containers', 'env', '__proto__'];
const jsonPointer = grammarText(PATH_TOKENS, 8);
const patchOp = fc.record(
  {
    op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), nastyString),
    path: fc.oneof(jsonPointer.map((p) => (p.startsWith('/') ? p : `/${p}`)), jsonPointer, nastyJson),
    from: jsonPointer,
    value: nastyJson,
  },
  { requiredKeys: ['op', 'path'] },
);
const patchTarget = fc.constantFrom(`${CM}/a`, `${CM}/b`, `${CM}/nope`, `${DEPLOY}/web-1`, `${DEPLOY}/web-1/scale`, `${DEPLOY}/web-1/status`);

const jsonPatch: FuzzTarget = {
  name: 'json-patch',
  transport: 'inject',
  requests: fc
    .tuple(patchTarget, fc.oneof(fc.array(patchOp, { maxLength: 4 }).map((a) => JSON.stringify(a)), mutatedText(fc.array(patchOp, { maxLength: 2 }).map((a) => JSON.stringify(a))), nastyJson.map((v) => JSON.stringify(v) ?? '')))
    .map(([url, payload]) => ({ method: 'PATCH', url, headers: { 'content-type': 'application/json-patch+json' }, payload })),
};

const objectPatch = fc.oneof(
  configMap.map((o) => JSON.stringify(o)),
  fc.record({ metadata: fc.record({ labels: fc.dictionary(nastyString, fc.oneof(nastyString, fc.constant(null)), { maxKeys: 3 }), resourceVersion: nastyString }, { requiredKeys: [] }), data: nastyJson }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  nastyJson.map((v) => JSON.stringify(v) ?? ''),
);

const mergePatch: FuzzTarget = {
  name: 'merge-patch',
  transport: 'inject',
  requests: fc.tuple(patchTarget, fc.oneof(objectPatch, mutatedText(objectPatch))).map(([url, payload]) => ({ method: 'PATCH', url, headers: { 'content-type': 'application/merge-patch+json' }, payload })),
};

const DIRECTIVE = fc.constantFrom('$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/env', '$deleteFromPrimitiveList/finalizers', 'name', 'image', 'value', 'containerPort');
const smpList = fc.array(fc.dictionary(fc.oneof(DIRECTIVE, nastyString), fc.oneof(fc.constantFrom('replace', 'delete', 'merge', 'c', 'A', 'x'), nastyJson), { maxKeys: 4 }), { maxLength: 3 });
const strategicBody = fc
  .record({
    spec: fc.record({ template: fc.record({ spec: fc.dictionary(fc.oneof(fc.constantFrom('containers', 'volumes', 'tolerations'), DIRECTIVE), fc.oneof(smpList, nastyJson), { maxKeys: 3 }) }) }),
    metadata: fc.dictionary(fc.oneof(fc.constantFrom('labels', 'finalizers', 'ownerReferences'), DIRECTIVE), fc.oneof(smpList, nastyJson), { maxKeys: 2 }),
    top: fc.dictionary(DIRECTIVE, nastyJson, { maxKeys: 2 }),
  })
  .map(({ top, ...rest }) => JSON.stringify({ ...top, ...rest }));

const strategicPatch: FuzzTarget = {
  name: 'strategic-merge-patch',
  transport: 'inject',
  requests: fc.tuple(patchTarget, fc.oneof(strategicBody, objectPatch, mutatedText(strategicBody))).map(([url, payload]) => ({ method: 'PATCH', url, headers: { 'content-type': 'application/strategic-merge-patch+json' }, payload })),
};

const applyBody = fc.oneof(
  fc.tuple(configMap, objectName).map(([o, name]) => ({ ...o, metadata: { ...(typeof o.metadata === 'object' ? (o.metadata as object) : {}), name } })).map((o) => toYaml(o)),
  fc.tuple(configMap, objectName).map(([o, name]) => JSON.stringify({ ...o, metadata: { name } })),
  yamlText,
);
const serverSideApply: FuzzTarget = {
  name: 'server-side-apply',
  transport: 'inject',
  requests: fc
    .tuple(objectName, applyBody, fc.option(nastyString), fc.option(fc.constantFrom('true', 'false', 'x', '')))
    .map(([name, payload, manager, force]) => ({
      method: 'PATCH',
      url: `${CM}/${q(name)}?${manager === null ? '' : `fieldManager=${q(manager)}`}${force === null ? '' : `&force=${force}`}`,
      headers: { 'content-type': 'application/apply-patch+yaml' },
      payload,
    })),
};

const token = fc.oneof(
  fc.record({ v: fc.oneof(fc.constant('meta.k8s.io/v1'), nastyString), rv: fc.oneof(fc.integer(), fc.double(), nastyJson), start: fc.oneof(nastyString, fc.constantFrom('a', 'b\u0000', '../x', 'default/a', '')) }, { requiredKeys: [] }).map((o) => Buffer.from(JSON.stringify(o)).toString('base64url')),
  nastyString,
  nastyJson.map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64')),
);
const continueTokens: FuzzTarget = {
  name: 'continue-token',
  transport: 'inject',
  requests: fc.tuple(listUrl, token, fc.constantFrom('', '1', '2', '500', '-1', 'x')).map(([url, t, limit]) => ({ method: 'GET', url: `${url}?limit=${limit}&continue=${q(t)}` })),
};

const rvValue = fc.oneof(fc.constantFrom('', '0', '1', '2', '3', '-1', '99999999999999999999', '1e3', ' 1', '0x10', 'abc'), fc.nat().map(String), nastyString);
const rvMatch = fc.option(fc.oneof(fc.constantFrom('Exact', 'NotOlderThan', 'exact', ''), nastyString));
const resourceVersions: FuzzTarget = {
  name: 'resource-version',
  transport: 'inject',
  requests: fc.tuple(fc.oneof(listUrl, fc.constant(`${CM}/a`)), rvValue, rvMatch, fc.option(fc.constantFrom('1', '0', '500'))).map(([url, rv, m, limit]) => ({
    method: 'GET',
    url: `${url}?resourceVersion=${q(rv)}${m === null ? '' : `&resourceVersionMatch=${q(m)}`}${limit === null ? '' : `&limit=${limit}`}`,
  })),
};

const boolish = fc.option(fc.oneof(fc.constantFrom('true', 'false', '1', '0', 'True', ''), nastyString));
const watchParams: FuzzTarget = {
  name: 'watch-params',
  transport: 'http',
  requests: fc
    .tuple(fc.oneof(listUrl, fc.constant(`${CM}/a`)), rvValue, rvMatch, boolish, boolish, fc.oneof(fc.constantFrom('1', '0', '-1', 'x', '99999999999999999999'), nastyString), fc.option(grammarText(LABEL_TOKENS, 6)))
    .map(([url, rv, m, bookmarks, initial, timeout, sel]) => {
      const params = [`watch=1`, `resourceVersion=${q(rv)}`, `timeoutSeconds=${q(timeout)}`];
      if (m !== null) params.push(`resourceVersionMatch=${q(m)}`);
      if (bookmarks !== null) params.push(`allowWatchBookmarks=${q(bookmarks)}`);
      if (initial !== null) params.push(`sendInitialEvents=${q(initial)}`);
      if (sel !== null) params.push(`labelSelector=${q(sel)}`);
      return { method: 'GET', url: `${url}?${params.join('&')}` };
    }),
};

const SEGMENTS = ['api', 'apis', 'v1', 'v2', 'apps', 'namespaces', 'default', 'nope', 'configmaps', 'pods', 'deployments', 'nodes', 'a', 'web-1', 'status', 'scale', 'log', 'exec', 'eviction', 'binding', 'finalize', 'proxy', 'attach', '..', '.', '', '%2F', '%00', '%2e%2e', '%', '%zz', 'x%20y', '*', '~', ';', 'api;x'];
const pathText = fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...SEGMENTS) }, { weight: 1, arbitrary: nastyString.map(q) }), { minLength: 1, maxLength: 8 }).map((s) => `/${s.join('/')}`);
const smallBody = fc.constantFrom('', '{}', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p"}}', '[]', 'null', '{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Orphan"}');
const paths: FuzzTarget = {
  name: 'paths',
  transport: 'inject',
  requests: fc
    .tuple(fc.constantFrom<FuzzRequest['method']>('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), pathText, smallBody, fc.constantFrom('application/json', 'application/merge-patch+json', 'text/plain', ''))
    .map(([method, url, payload, ct]) => ({ method, url, headers: ct ? { 'content-type': ct } : ({} as Record<string, string>), payload })),
};

const PARAMS = ['limit', 'continue', 'labelSelector', 'fieldSelector', 'resourceVersion', 'resourceVersionMatch', 'dryRun', 'fieldManager', 'fieldValidation', 'pretty', 'propagationPolicy', 'gracePeriodSeconds', 'orphanDependents', 'timeoutSeconds', 'includeObject', 'allowWatchBookmarks', 'force', 'container', 'follow', 'tailLines', 'x', ''];
const queryText = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), nastyString), fc.oneof(fc.constantFrom('All', 'Strict', 'Warn', 'Ignore', 'Background', 'Foreground', 'Orphan', 'true', '0', '-1', 'Table', 'None'), nastyString), fc.boolean()), { maxLength: 5 })
  .map((kv) => kv.map(([k, v, raw]) => (raw ? `${k}=${v.replace(/[#\s]/g, '')}` : `${q(k)}=${q(v)}`)).join('&'));
const queryStrings: FuzzTarget = {
  name: 'query-strings',
  transport: 'inject',
  requests: fc
    .tuple(fc.constantFrom<FuzzRequest['method']>('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), fc.constantFrom(CM, `${CM}/a`, `${CM}/b`, `${DEPLOY}/web-1`, '/api/v1/pods', `${NS}/pods/p/log`, '/api', '/apis'), queryText, smallBody)
    .map(([method, url, query, payload]) => ({ method, url: `${url}?${query}`, headers: { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }, payload })),
};

const ACCEPT = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadata;v=v1beta1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf', 'application/yaml', '*/*', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList', 'text/html', ';;;', 'application/json;q=0.x', ''];
const CONTENT = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json; charset=utf-16', 'application/json;;', 'multipart/form-data; boundary=x', '*/*', ''];
const headerValues: FuzzTarget = {
  name: 'headers',
  transport: 'inject',
  requests: fc
    .tuple(fc.constantFrom<FuzzRequest['method']>('GET', 'POST', 'PUT'), fc.constantFrom(CM, `${CM}/a`, '/api/v1/nodes', '/api', '/apis', DEPLOY), fc.oneof(fc.constantFrom(...ACCEPT), grammarText([...ACCEPT, ',', ';', '=', 'as', 'v', 'g'], 4)), fc.oneof(fc.constantFrom(...CONTENT), grammarText([...CONTENT, ';', '='], 3)), smallBody)
    .map(([method, url, accept, ct, payload]) => ({ method, url: method === 'PUT' ? `${CM}/a` : url, headers: { accept: accept.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, ''), 'content-type': ct.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '') }, payload })),
};

const deleteOptions: FuzzTarget = {
  name: 'delete-options',
  transport: 'inject',
  requests: fc
    .tuple(fc.constantFrom(`${CM}/a`, `${CM}/zzz`, CM, `${DEPLOY}/web-1`), fc.oneof(fc.record({ kind: fc.constant('DeleteOptions'), apiVersion: fc.constant('v1'), propagationPolicy: nastyString, gracePeriodSeconds: nastyJson, preconditions: nastyJson, dryRun: nastyJson }, { requiredKeys: [] }).map((o) => JSON.stringify(o)), nastyJson.map((v) => JSON.stringify(v) ?? '')))
    .map(([url, payload]) => ({ method: 'DELETE', url: `${url}?dryRun=All`, headers: JSON_CT, payload })),
};

export const TARGETS: FuzzTarget[] = [jsonBody, yamlBody, protobufBody, labelSelector, fieldSelector, jsonPatch, mergePatch, strategicPatch, serverSideApply, continueTokens, resourceVersions, watchParams, paths, queryStrings, headerValues, deleteOptions];
