#!/usr/bin/env node
// Derives the OpenAPI documents kplane serves from upstream's published v2 document
// (api/openapi-spec/swagger.json of a release branch), keeping only the group-versions a default
// kube-apiserver of that release enables:
//   ../v2.json        the v2 document, shared parameters inlined (as a server serves it)
//   ../v3/<path>.json one v3 document per served path ("api/v1", "apis/apps/v1", "apis/apps", ...),
//                     converted as kube-openapi converts v2 to v3 (a $ref with siblings is wrapped
//                     in allOf; body parameters become requestBody; responses get content per media
//                     type; int-or-string and Quantity are oneOf).
// The published v2 document leaves out the schema `default`s that a server's v3 documents carry
// (e.g. ContainerPort.protocol "TCP", a list-map key). Where the v3 documents of an earlier capture
// are given, the defaults of the same definition's same property (and its items) are carried over.
//
// Usage: node derive.mjs <upstream swagger.json> <k8s version, e.g. v1.33.13> [earlier v3 dir]
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Group-versions a default kube-apiserver 1.33 serves: the GA versions (no beta is on by default). */
export const DEFAULT_GROUP_VERSIONS = [
  'v1', 'admissionregistration.k8s.io/v1', 'apiextensions.k8s.io/v1', 'apiregistration.k8s.io/v1', 'apps/v1',
  'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1',
  'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1',
  'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1',
];

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.env.OUT_DIR ?? join(here, '..');
const [src, version, earlierV3] = process.argv.slice(2);
if (!src || !version) throw new Error('usage: derive.mjs <swagger.json> <version> [earlier v3 dir]');

const up = JSON.parse(readFileSync(src, 'utf8'));
const served = new Set(DEFAULT_GROUP_VERSIONS);
const servedGroups = new Set(DEFAULT_GROUP_VERSIONS.filter((gv) => gv.includes('/')).map((gv) => gv.split('/')[0]));

/** The v3 document path a v2 path belongs to, or undefined when not served. */
function docOf(path) {
  const p = path.split('/').filter(Boolean);
  if (p[0] === 'api') return p.length === 1 ? 'api' : served.has(p[1]) ? `api/${p[1]}` : undefined;
  if (p[0] !== 'apis') return undefined;
  if (p.length === 1) return 'apis';
  if (p.length === 2) return servedGroups.has(p[1]) ? `apis/${p[1]}` : undefined;
  return served.has(`${p[1]}/${p[2]}`) ? `apis/${p[1]}/${p[2]}` : undefined;
}
const KEEP_OTHER = new Set(['/version/', '/.well-known/openid-configuration', '/openid/v1/jwks', '/logs/', '/logs/{logpath}']);

const inlineParam = (p) => (p.$ref ? up.parameters[p.$ref.split('/').pop()] : p);
const refsIn = (v, out = new Set()) => {
  for (const m of JSON.stringify(v).matchAll(/"#\/definitions\/([^"]+)"/g)) out.add(m[1]);
  return out;
};
function closure(roots) {
  const seen = new Set();
  const visit = (n) => {
    if (seen.has(n) || !up.definitions[n]) return;
    seen.add(n);
    refsIn(up.definitions[n]).forEach(visit);
  };
  roots.forEach(visit);
  return [...seen].sort();
}

// ---- v2: served paths with parameters inlined, and the definitions they and served kinds use.
const v2paths = {};
for (const [path, item] of Object.entries(up.paths)) {
  if (!docOf(path) && !KEEP_OTHER.has(path)) continue;
  const out = {};
  for (const [k, op] of Object.entries(item)) {
    if (k === 'parameters') out[k] = op.map(inlineParam);
    else out[k] = op.parameters ? { ...op, parameters: op.parameters.map(inlineParam) } : op;
  }
  v2paths[path] = out;
}
const servedKind = (d) => (d['x-kubernetes-group-version-kind'] ?? []).some((g) => served.has(g.group ? `${g.group}/${g.version}` : g.version));
const v2defs = closure([...refsIn(v2paths), ...Object.keys(up.definitions).filter((n) => servedKind(up.definitions[n]))]);
const v2 = {
  swagger: up.swagger,
  info: { title: 'Kubernetes', version },
  paths: v2paths,
  definitions: Object.fromEntries(v2defs.map((n) => [n, up.definitions[n]])),
  securityDefinitions: up.securityDefinitions,
  security: up.security,
};
writeFileSync(join(outDir, 'v2.json'), JSON.stringify(v2));

// ---- v3
const V3REF = (n) => `#/components/schemas/${n}`;
function schema3(s) {
  if (Array.isArray(s)) return s.map(schema3);
  if (!s || typeof s !== 'object') return s;
  if (typeof s.$ref === 'string') {
    const { $ref, ...rest } = s;
    const ref = V3REF($ref.split('/').pop());
    if (Object.keys(rest).length === 0) return { $ref: ref };
    return { ...mapProps(rest), allOf: [{ $ref: ref }] };
  }
  return mapProps(s);
}
function mapProps(s) {
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' || k === 'patternProperties') out[k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [n, schema3(x)]));
    else if (k === 'items' || k === 'additionalProperties' || k === 'not') out[k] = typeof v === 'object' ? schema3(v) : v;
    else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') out[k] = v.map(schema3);
    else out[k] = v;
  }
  return out;
}
function definition3(name) {
  const d = up.definitions[name];
  if (d.format === 'int-or-string') return { description: d.description, format: d.format, oneOf: [{ type: 'integer' }, { type: 'string' }] };
  if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') return { description: d.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  return schema3(d);
}

const STATUS_TEXT = { 200: 'OK', 201: 'Created', 202: 'Accepted', 401: 'Unauthorized' };
function operation3(op) {
  const { consumes, produces, schemes: _s, parameters, responses, ...rest } = op;
  const out = { ...rest };
  const params = (parameters ?? []).map(inlineParam);
  const plain = params.filter((p) => p.in !== 'body').map(param3);
  if (plain.length) out.parameters = plain;
  const body = params.find((p) => p.in === 'body');
  if (body) {
    const content = Object.fromEntries([...(consumes ?? ['*/*'])].sort().map((m) => [m, { schema: schema3(body.schema) }]));
    out.requestBody = { content };
  }
  out.responses = Object.fromEntries(Object.entries(responses ?? {}).map(([code, r]) => {
    const res = { description: r.description ?? STATUS_TEXT[code] };
    if (r.schema) res.content = Object.fromEntries([...(produces ?? ['*/*'])].sort().map((m) => [m, { schema: schema3(r.schema) }]));
    return [code, res];
  }));
  // Keep upstream's key order: the x- extensions last.
  for (const k of Object.keys(out)) if (k.startsWith('x-')) { const v = out[k]; delete out[k]; out[k] = v; }
  return out;
}
function param3(p) {
  const { name, in: where, description, required, schema, ...typeFields } = inlineParam(p);
  return { name, in: where, ...(description ? { description } : {}), ...(required ? { required } : {}), schema: schema ? schema3(schema) : typeFields };
}

/** Defaults of the earlier capture: "definition.property" (with "[]" its items, "{}" its map values) → value. */
const earlierDefaults = new Map();
if (earlierV3) {
  for (const f of readdirSync(earlierV3)) {
    const schemas = JSON.parse(readFileSync(join(earlierV3, f), 'utf8')).components?.schemas ?? {};
    for (const [n, s] of Object.entries(schemas)) {
      for (const [p, x] of Object.entries(s.properties ?? {})) {
        if (x.default !== undefined) earlierDefaults.set(`${n}.${p}`, x.default);
        if (x.items?.default !== undefined) earlierDefaults.set(`${n}.${p}[]`, x.items.default);
        if (x.additionalProperties?.default !== undefined) earlierDefaults.set(`${n}.${p}{}`, x.additionalProperties.default);
      }
    }
  }
}
/** A $ref-only schema takes a default as upstream's v3 writes it: {default, allOf: [{$ref}]}. */
function addDefault(s, d) {
  if (d === undefined || s.default !== undefined) return s;
  if (s.$ref) return { default: d, allOf: [{ $ref: s.$ref }] };
  const { description, ...rest } = s;
  return description === undefined ? { ...rest, default: d } : { description, ...rest, default: d };
}
function withDefaults(name, s) {
  if (!s.properties) return s;
  const props = { ...s.properties };
  for (const p of Object.keys(props)) {
    let x = addDefault(props[p], earlierDefaults.get(`${name}.${p}`));
    if (x.items) x = { ...x, items: addDefault(x.items, earlierDefaults.get(`${name}.${p}[]`)) };
    if (typeof x.additionalProperties === 'object') {
      x = { ...x, additionalProperties: addDefault(x.additionalProperties, earlierDefaults.get(`${name}.${p}{}`)) };
    }
    props[p] = x;
  }
  return { ...s, properties: props };
}

const byDoc = new Map();
for (const [path, item] of Object.entries(up.paths)) {
  const doc = docOf(path);
  if (!doc) continue;
  const out = {};
  for (const [k, op] of Object.entries(item)) out[k] = k === 'parameters' ? op.map(param3) : operation3(op);
  if (!byDoc.has(doc)) byDoc.set(doc, {});
  byDoc.get(doc)[path] = out;
}
const v3dir = join(outDir, 'v3');
rmSync(v3dir, { recursive: true, force: true });
mkdirSync(v3dir);
for (const [doc, paths] of [...byDoc].sort()) {
  const names = closure([...refsIn(Object.fromEntries(Object.entries(up.paths).filter(([p]) => paths[p])))]);
  const schemas = Object.fromEntries(names.map((n) => [n, withDefaults(n, definition3(n))]));
  const v3 = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
  };
  writeFileSync(join(v3dir, `${doc.replace(/\//g, '__')}.json`), JSON.stringify(v3));
}
console.log(`v2: ${Object.keys(v2paths).length} paths, ${v2defs.length} definitions; v3: ${byDoc.size} documents; ${earlierDefaults.size} carried defaults`);
