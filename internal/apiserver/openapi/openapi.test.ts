import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { ResourceCatalog, ResourceDefinition } from '../../registry/index.js';
import { decodeGnosticV2 } from './gnostic.js';
import { registerOpenApiRoutes } from './routes.js';
import { createOpenApiService } from './service.js';

function def(group: string, version: string, kind: string, plural: string, extra: Partial<ResourceDefinition> = {}): ResourceDefinition {
  return { group, version, kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), namespaced: true, strategy: {} as never, ...extra };
}

function fakeCatalog(initial: ResourceDefinition[]) {
  let defs = initial;
  const listeners = new Set<() => void>();
  const catalog: ResourceCatalog = {
    definitions: () => defs,
    lookup: (g, v, r) => defs.find((d) => d.group === g && d.version === v && d.plural === r),
    onChange: (l) => (listeners.add(l), () => listeners.delete(l)),
  };
  return { catalog, set(next: ResourceDefinition[]) { defs = next; listeners.forEach((l) => l()); } };
}

const widget = def('stable.example.com', 'v1', 'Widget', 'widgets', {
  custom: true,
  openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', description: 'the spec', properties: { size: { type: 'integer' } } } } },
});

async function app(defs: ResourceDefinition[]) {
  const f = fakeCatalog(defs);
  const a = Fastify();
  registerOpenApiRoutes(a, createOpenApiService(f.catalog));
  await a.ready();
  return { a, f };
}

describe('openapi v3', () => {
  it('indexes served groups only, with hashed URLs kubectl follows', async () => {
    const { a } = await app([def('', 'v1', 'ConfigMap', 'configmaps'), def('apps', 'v1', 'Deployment', 'deployments')]);
    const r = await a.inject('/openapi/v3');
    expect(r.statusCode).toBe(200);
    const paths = Object.keys(r.json().paths);
    expect(paths).toContain('api/v1');
    expect(paths).toContain('apis/apps/v1');
    expect(paths).not.toContain('apis/batch/v1');
    const url = r.json().paths['apis/apps/v1'].serverRelativeURL as string;
    const doc = await a.inject(url);
    expect(doc.statusCode).toBe(200);
    expect(doc.headers['cache-control']).toBe('public, immutable');
    const patch = doc.json().paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
  });

  it('answers 304 to a matching ETag and 301 to a stale hash', async () => {
    const { a } = await app([def('apps', 'v1', 'Deployment', 'deployments')]);
    const first = await a.inject('/openapi/v3/apis/apps/v1');
    const again = await a.inject({ url: '/openapi/v3/apis/apps/v1', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    const stale = await a.inject('/openapi/v3/apis/apps/v1?hash=ABC');
    expect(stale.statusCode).toBe(301);
    expect(stale.headers.location).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
    expect((await a.inject('/openapi/v3/apis/nope/v1')).statusCode).toBe(404);
  });

  it('publishes a custom resource as soon as the catalog has it, with its schema for explain', async () => {
    const { a, f } = await app([def('apps', 'v1', 'Deployment', 'deployments')]);
    expect(Object.keys((await a.inject('/openapi/v3')).json().paths)).not.toContain('apis/stable.example.com/v1');
    f.set([def('apps', 'v1', 'Deployment', 'deployments'), widget]);
    const idx = (await a.inject('/openapi/v3')).json();
    const doc = (await a.inject(idx.paths['apis/stable.example.com/v1'].serverRelativeURL)).json();
    const schema = doc.components.schemas['com.example.stable.v1.Widget'];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'stable.example.com', version: 'v1', kind: 'Widget' }]);
    expect(schema.properties.spec.properties.size.type).toBe('integer');
    expect(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/widgets/{name}'].patch;
    expect(patch.parameters.map((p: { name: string }) => p.name)).toContain('fieldValidation');
  });
});

describe('openapi v2', () => {
  it('serves upstream JSON, and merges custom resources in', async () => {
    const { a, f } = await app([def('apps', 'v1', 'Deployment', 'deployments')]);
    const plain = await a.inject('/openapi/v2');
    expect(plain.statusCode).toBe(200);
    expect(plain.json().definitions['io.k8s.api.apps.v1.Deployment']).toBeDefined();
    f.set([widget]);
    const merged = (await a.inject('/openapi/v2')).json();
    expect(merged.definitions['com.example.stable.v1.Widget'].properties.metadata.$ref).toBe('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  });

  it('answers the gnostic protobuf Accept of kubectl 1.27 with application/octet-stream', async () => {
    const { a } = await app([def('apps', 'v1', 'Deployment', 'deployments')]);
    const t0 = performance.now();
    const r = await a.inject({ url: '/openapi/v2', headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    const ms = performance.now() - t0;
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.rawPayload.length).toBeGreaterThan(100_000);
    console.log(`gnostic v2 encode: ${ms.toFixed(0)} ms, ${r.rawPayload.length} bytes`);
  });

  it('adds custom resources to the protobuf form by appending their encoding to the built-in one', async () => {
    const { a, f } = await app([def('apps', 'v1', 'Deployment', 'deployments')]);
    const accept = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
    const before = await a.inject({ url: '/openapi/v2', headers: { accept } });
    f.set([def('apps', 'v1', 'Deployment', 'deployments'), widget]);
    const after = await a.inject({ url: '/openapi/v2', headers: { accept } });
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.rawPayload.subarray(0, before.rawPayload.length).equals(before.rawPayload)).toBe(true);
    type Named = { name: string; value: Record<string, unknown> };
    const doc = decodeGnosticV2(after.rawPayload);
    const defs = (doc.definitions as { additional_properties: Named[] }).additional_properties.map((d) => d.name);
    expect(defs).toContain('io.k8s.api.apps.v1.Deployment');
    expect(defs).toContain('com.example.stable.v1.Widget');
    expect(defs).toContain('com.example.stable.v1.WidgetList');
    const paths = (doc.paths as { path: Named[] }).path.map((p) => p.name);
    expect(paths).toContain('/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
    expect(paths).toContain('/apis/stable.example.com/v1/namespaces/{namespace}/widgets/{name}');
    expect(doc.swagger).toBe('2.0');
  });
});
