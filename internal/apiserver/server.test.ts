import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { apiErrors } from '../api/index.js';
import { def, fakeDefinitions } from './testing/fakes.js';
import { AUTH, createTestServer, type TestServer } from './testing/harness.js';

let ts: TestServer;
afterEach(async () => {
  await ts?.app.close();
});

function setup(...args: Parameters<typeof createTestServer>): TestServer {
  ts = createTestServer(...args);
  return ts;
}

const json = { ...AUTH, 'content-type': 'application/json' };

describe('authentication', () => {
  it('answers anonymous API calls with a 401 Status but serves health and version', async () => {
    const { app } = setup();
    for (const url of ['/api', '/apis', '/api/v1/namespaces', '/openapi/v2', '/nope']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(401);
      expect(r.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
    for (const url of ['/healthz', '/livez', '/readyz', '/version', '/readyz?verbose']) {
      expect((await app.inject({ url })).statusCode, url).toBe(200);
    }
    // Public routes are decided on the matched route, so dot-segments never reach the API anonymously.
    for (const url of ['/readyz/../api/v1/namespaces', '/version/../api/v1/namespaces', '/healthz%2F..%2Fapi']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).not.toBe(200);
      expect(r.body, url).not.toContain('items');
    }
  });
});

describe('routing to the handler', () => {
  it('maps collection, item and all-namespaces paths to verbs with namespace and name', async () => {
    const { app, handler } = setup();
    handler.seed('', 'configmaps', { metadata: { name: 'c1', namespace: 'd' } });
    expect((await app.inject({ url: '/api/v1/namespaces/d/configmaps?limit=500', headers: AUTH })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/configmaps', headers: AUTH })).json().items).toHaveLength(1);
    const got = await app.inject({ url: '/api/v1/namespaces/d/configmaps/c1?resourceVersion=0', headers: AUTH });
    expect(got.json().metadata.name).toBe('c1');
    expect(got.headers['content-type']).toBe('application/json');
    expect(handler.requests.map((r) => [r.verb, r.namespace, r.name])).toEqual([
      ['list', 'd', undefined],
      ['list', undefined, undefined],
      ['get', 'd', 'c1'],
    ]);
    expect(handler.requests[0]!.params).toEqual({ limit: 500 });
    expect(handler.requests[2]!.params).toEqual({ resourceVersion: '0' });
    expect(handler.requests[0]!.user).toEqual({ name: 'admin', groups: ['system:authenticated'] });
  });

  it('routes names up to 253 characters (the wildcard route has no short parameter limit)', async () => {
    const { app, handler } = setup();
    const name = `${'a'.repeat(126)}.${'b'.repeat(126)}`;
    expect((await app.inject({ url: `/api/v1/namespaces/d/configmaps/${name}`, headers: AUTH })).statusCode).toBe(404);
    expect(handler.requests[0]).toMatchObject({ verb: 'get', name });
  });

  it('creates from JSON and YAML bodies with write parameters, answering 201', async () => {
    const { app, handler } = setup();
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/d/configmaps?fieldManager=kubectl-create&fieldValidation=Strict&dryRun=All',
      headers: json,
      payload: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } }),
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().metadata).toMatchObject({ name: 'x', namespace: 'd' });
    expect(handler.requests[0]).toMatchObject({ verb: 'create', params: { fieldManager: 'kubectl-create', fieldValidation: 'Strict', dryRun: true } });
    const y = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces/d/configmaps',
      headers: { ...AUTH, 'content-type': 'application/yaml' },
      payload: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: "1"\n',
    });
    expect(y.statusCode).toBe(201);
    expect(handler.requests[1]).toMatchObject({ verb: 'create', body: { metadata: { name: 'y' }, data: { a: '1' } } });
  });

  it('routes the Namespace object itself and its finalize/status subresources', async () => {
    const { app, handler } = setup();
    handler.seed('', 'namespaces', { metadata: { name: 'kube-system' } });
    expect((await app.inject({ url: '/api/v1/namespaces/kube-system', headers: AUTH })).json().metadata.name).toBe('kube-system');
    const fin = await app.inject({ method: 'PUT', url: '/api/v1/namespaces/t/finalize', headers: json, payload: '{"metadata":{"name":"t"}}' });
    expect(fin.statusCode).toBe(200);
    expect(handler.requests.at(-1)).toMatchObject({ verb: 'update', resource: 'namespaces', name: 't', subresource: 'finalize' });
    expect(handler.requests.at(-1)!.namespace).toBeUndefined();
  });

  it('routes subresources: status, scale, binding, eviction', async () => {
    const { app, handler } = setup();
    await app.inject({ url: '/apis/apps/v1/namespaces/d/deployments/web/scale', headers: AUTH });
    await app.inject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/d/deployments/web/scale', headers: { ...AUTH, 'content-type': 'application/merge-patch+json' }, payload: '{"spec":{"replicas":3}}' });
    await app.inject({ method: 'PUT', url: '/api/v1/namespaces/d/pods/p/status', headers: json, payload: '{"metadata":{"name":"p"}}' });
    await app.inject({ method: 'POST', url: '/api/v1/namespaces/d/pods/p/binding', headers: json, payload: '{"metadata":{"name":"p"},"target":{"kind":"Node","name":"n1"}}' });
    await app.inject({ method: 'POST', url: '/api/v1/namespaces/d/pods/p/eviction', headers: json, payload: '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p"}}' });
    expect(handler.requests.map((r) => [r.verb, r.resource, r.subresource])).toEqual([
      ['get', 'deployments', 'scale'],
      ['patch', 'deployments', 'scale'],
      ['update', 'pods', 'status'],
      ['create', 'pods', 'binding'],
      ['create', 'pods', 'eviction'],
    ]);
    expect(handler.requests[1]).toMatchObject({ patchType: 'merge', patch: { spec: { replicas: 3 } }, params: {} });
  });

  it('decodes the four patch types and force', async () => {
    const { app, handler } = setup();
    const url = '/apis/apps/v1/namespaces/d/deployments/web?fieldManager=kubectl&force=true';
    const cases: [string, string, string, unknown][] = [
      ['application/merge-patch+json', '{"a":null}', 'merge', { a: null }],
      ['application/json-patch+json', '[{"op":"remove","path":"/a"}]', 'json', [{ op: 'remove', path: '/a' }]],
      ['application/strategic-merge-patch+json', '{"$setElementOrder/containers":[{"name":"a"}]}', 'strategic', { '$setElementOrder/containers': [{ name: 'a' }] }],
      ['application/apply-patch+yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }],
      ['application/apply-patch+yaml', '{"apiVersion":"apps/v1","kind":"Deployment"}', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment' }],
    ];
    for (const [ct, payload, patchType, patch] of cases) {
      const r = await app.inject({ method: 'PATCH', url, headers: { ...AUTH, 'content-type': ct }, payload });
      expect(r.statusCode, ct).toBe(200);
      expect(handler.requests.at(-1)).toMatchObject({ verb: 'patch', patchType, patch, params: { fieldManager: 'kubectl', force: true } });
    }
  });

  it('accepts DELETE with Content-Type application/json and an empty body, and DeleteOptions bodies', async () => {
    const { app, handler } = setup();
    const empty = await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/d/configmaps/c1', headers: json });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(handler.requests[0]).toMatchObject({ verb: 'delete', name: 'c1', params: {} });
    await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/d/configmaps/c1', headers: json, payload: '{"propagationPolicy":"Background"}' });
    expect(handler.requests[1]!.params).toEqual({ propagationPolicy: 'Background' });
    await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/d/configmaps?labelSelector=a%3Db', headers: AUTH });
    expect(handler.requests[2]).toMatchObject({ verb: 'deletecollection', params: { labelSelector: 'a=b' } });
  });

  it('passes handler warnings as Warning: 299 headers', async () => {
    const { app, handler } = setup();
    handler.warnings = ['unknown field "metadata.foo"', 'second'];
    const r = await app.inject({ method: 'POST', url: '/api/v1/namespaces/d/configmaps', headers: json, payload: '{"metadata":{"name":"w"}}' });
    expect(r.headers.warning).toEqual(['299 - "unknown field \\"metadata.foo\\""', '299 - "second"']);
  });
});

describe('Status errors', () => {
  async function status(app: TestServer['app'], opts: InjectOptions) {
    const r = await app.inject(opts);
    return { code: r.statusCode, body: r.json(), headers: r.headers };
  }

  it('404 for unknown resources, groups and versions; 404 for scope mismatches', async () => {
    const { app } = setup();
    for (const url of ['/api/v1/widgets', '/apis/nope/v1/things', '/apis/apps/v9', '/apis/nope', '/api/v1/pods/p', '/api/v1/namespaces/d/namespaces', '/api/v1/namespaces/d/pods/p/nosuch', '/api/v1/namespaces/d/pods/p/status/extra/../']) {
      const { code, body } = await status(app, { url, headers: AUTH });
      expect(code, url).toBe(404);
      expect(body.kind, url).toBe('Status');
    }
    const { body } = await status(app, { url: '/api/v1/widgets', headers: AUTH });
    expect(body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  });

  it('405 for verbs a resource does not serve', async () => {
    const { app } = setup();
    const cases: [string, string][] = [
      ['POST', '/api/v1/namespaces/d/configmaps/c1'],
      ['PUT', '/api/v1/namespaces/d/configmaps'],
      ['POST', '/api/v1/pods'],
      ['DELETE', '/api/v1/namespaces'], // namespaces have no deletecollection
      ['GET', '/api/v1/namespaces/d/pods/p/binding'],
      ['PATCH', '/api'],
    ];
    for (const [method, url] of cases) {
      const { code, body } = await status(app, { method: method as InjectOptions['method'], url, headers: json, payload: method === 'GET' ? undefined : '{}' });
      expect(code, `${method} ${url}`).toBe(405);
      expect(body).toMatchObject({ reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' });
    }
  });

  it('passes handler ApiErrors through and turns unexpected errors into one logged 500', async () => {
    const logged: unknown[] = [];
    const logger = {
      level: 'info', fatal() {}, warn() {}, info() {}, debug() {}, trace() {}, silent() {},
      error: (o: unknown) => logged.push(o),
      child() { return logger; },
    };
    const { app, handler } = setup({ logger: logger as never });
    handler.failWith = apiErrors.notFound({ group: 'apps', resource: 'deployments' }, 'web');
    const nf = await status(app, { url: '/apis/apps/v1/namespaces/d/deployments/web', headers: AUTH });
    expect(nf.code).toBe(404);
    expect(nf.body).toMatchObject({ message: 'deployments.apps "web" not found', details: { name: 'web', group: 'apps', kind: 'deployments' } });
    handler.failWith = new TypeError('boom');
    const ie = await status(app, { url: '/apis/apps/v1/namespaces/d/deployments/web', headers: AUTH });
    expect(ie.code).toBe(500);
    expect(ie.body).toMatchObject({ kind: 'Status', reason: 'InternalError', message: 'Internal error occurred: boom', code: 500 });
    expect(logged).toHaveLength(1);
  });

  it('400 for malformed JSON, 415 for unknown body types and strategic merge on custom resources', async () => {
    const crd = def({ group: 'example.com', kind: 'Widget', plural: 'widgets', custom: true });
    const { app, catalog } = setup();
    catalog.set([...fakeDefinitions(), crd]);
    const bad = await status(app, { method: 'POST', url: '/api/v1/namespaces/d/configmaps', headers: json, payload: '{"metadata":' });
    expect(bad.code).toBe(400);
    expect(bad.body.reason).toBe('BadRequest');
    const text = await status(app, { method: 'POST', url: '/api/v1/namespaces/d/configmaps', headers: { ...AUTH, 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.code).toBe(415);
    expect(text.body.reason).toBe('UnsupportedMediaType');
    const smp = await status(app, { method: 'PATCH', url: '/apis/example.com/v1/namespaces/d/widgets/w', headers: { ...AUTH, 'content-type': 'application/strategic-merge-patch+json' }, payload: '{}' });
    expect(smp.code).toBe(415);
    expect(smp.body.message).toBe('the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
    const jsonPatch = await status(app, { method: 'PATCH', url: '/api/v1/namespaces/d/configmaps/c', headers: json, payload: '{}' });
    expect(jsonPatch.code).toBe(415);
  });

  it('413 for bodies over the limit and decoded objects over the object limit', async () => {
    const { app } = setup({ limits: { maxRequestBodyBytes: 1000, maxObjectBytes: 500 } });
    const big = await status(app, { method: 'POST', url: '/api/v1/namespaces/d/configmaps', headers: json, payload: JSON.stringify({ metadata: { name: 'x' }, data: { a: 'x'.repeat(2000) } }) });
    expect(big.code).toBe(413);
    expect(big.body).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 1000' });
    const obj = await status(app, { method: 'POST', url: '/api/v1/namespaces/d/configmaps', headers: json, payload: JSON.stringify({ metadata: { name: 'x' }, data: { a: 'x'.repeat(600) } }) });
    expect(obj.code).toBe(413);
    expect(obj.body.reason).toBe('RequestEntityTooLarge');
  });

  it('429 with Retry-After when too many requests are in flight', async () => {
    const { app, handler } = setup({ limits: { maxReadOnlyInFlight: 1, queueLengthPerUser: 0 } });
    let unblock!: () => void;
    const blocked = new Promise<void>((r) => (unblock = r));
    const orig = handler.handle.bind(handler);
    handler.handle = async (req) => {
      await blocked;
      return orig(req);
    };
    const first = app.inject({ url: '/api/v1/namespaces/d/configmaps', headers: AUTH });
    await new Promise((r) => setTimeout(r, 20));
    const second = await status(app, { url: '/api/v1/namespaces/d/configmaps', headers: AUTH });
    expect(second.code).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.body.reason).toBe('TooManyRequests');
    unblock();
    expect((await first).statusCode).toBe(200);
  });

  it('422 for resourceVersionMatch on a watch without sendInitialEvents, before streaming', async () => {
    const { app, handler } = setup();
    const r = await status(app, { url: '/api/v1/configmaps?watch=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true', headers: AUTH });
    expect(r.code).toBe(422);
    expect(r.body).toMatchObject({ reason: 'Invalid', details: { group: 'meta.k8s.io', kind: 'ListOptions' } });
    expect(handler.watches).toHaveLength(0);
  });
});

describe('Table and PartialObjectMetadata output', () => {
  const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

  it('returns Tables for lists and single objects, plain JSON for -o yaml', async () => {
    const { app, handler } = setup();
    handler.seed('', 'namespaces', { metadata: { name: 'default', resourceVersion: '3', creationTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Active' } });
    const list = (await app.inject({ url: '/api/v1/namespaces?limit=500', headers: { ...AUTH, accept: TABLE } })).json();
    expect(list).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '10' } });
    expect(list.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Status', 'Age']);
    expect(list.rows[0]).toMatchObject({ cells: ['default', 'Active', '1m'], object: { kind: 'PartialObjectMetadata', metadata: { name: 'default' } } });
    const one = (await app.inject({ url: '/api/v1/namespaces/default', headers: { ...AUTH, accept: TABLE } })).json();
    expect(one.rows).toHaveLength(1);
    expect(one.metadata).toEqual({ resourceVersion: '3' });
    const sorted = (await app.inject({ url: '/api/v1/namespaces?includeObject=Object', headers: { ...AUTH, accept: TABLE } })).json();
    expect(sorted.rows[0].object).toMatchObject({ kind: 'Namespace', apiVersion: 'v1', status: { phase: 'Active' } });
    const plain = (await app.inject({ url: '/api/v1/namespaces/default', headers: { ...AUTH, accept: 'application/json' } })).json();
    expect(plain.status).toEqual({ phase: 'Active' });
    const partial = (await app.inject({ url: '/api/v1/namespaces', headers: { ...AUTH, accept: 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' } })).json();
    expect(partial.kind).toBe('PartialObjectMetadataList');
    expect(partial.items[0]).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'default', resourceVersion: '3', creationTimestamp: '2026-01-01T00:00:00Z' } });
  });

  it('does not table-ify write responses or Status bodies', async () => {
    const { app } = setup();
    const r = await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/x', headers: { ...json, accept: TABLE } });
    expect(r.json().kind).toBe('Status');
  });
});
