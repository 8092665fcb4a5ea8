import { afterEach, describe, expect, it } from 'vitest';
import { def, fakeDefinitions } from './testing/fakes.js';
import { AUTH, createTestServer, type TestServer } from './testing/harness.js';

let ts: TestServer;
afterEach(async () => {
  await ts?.app.close();
});

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2B1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const ACCEPT_133 = `${V2},${V2B1},application/json`;
const ACCEPT_127 = `${V2B1},application/json`;

describe('discovery endpoints', () => {
  it('serves the legacy documents', async () => {
    ts = createTestServer();
    const get = async (url: string) => (await ts.app.inject({ url, headers: AUTH })).json();
    expect(await get('/api')).toMatchObject({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0' }] });
    const apis = await get('/apis');
    expect(apis.kind).toBe('APIGroupList');
    expect(apis.groups.map((g: { name: string }) => g.name)).toEqual(['apps', 'autoscaling']);
    expect(apis.groups[1].preferredVersion).toEqual({ groupVersion: 'autoscaling/v2', version: 'v2' });
    expect(await get('/apis/apps')).toMatchObject({ kind: 'APIGroup', name: 'apps' });
    const core = await get('/api/v1');
    expect(core.groupVersion).toBe('v1');
    expect(core.resources.map((r: { name: string }) => r.name)).toEqual([
      'configmaps', 'namespaces', 'namespaces/finalize', 'namespaces/status', 'pods', 'pods/binding', 'pods/eviction', 'pods/exec', 'pods/log', 'pods/status',
    ]);
    expect(core.resources.find((r: { name: string }) => r.name === 'pods/eviction')).toEqual({
      name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'],
    });
    const apps = await get('/apis/apps/v1');
    expect(apps.resources[0]).toMatchObject({ name: 'deployments', singularName: 'deployment', kind: 'Deployment', shortNames: ['deploy'], categories: ['all'] });
    expect((await ts.app.inject({ url: '/apis/apps/v2', headers: AUTH })).statusCode).toBe(404);
    expect((await ts.app.inject({ url: '/apis/nope', headers: AUTH })).json()).toMatchObject({ kind: 'Status', code: 404 });
  });

  it('negotiates aggregated discovery and echoes the exact media type (kubectl 1.33 → v2, 1.27 → v2beta1)', async () => {
    ts = createTestServer();
    const r = await ts.app.inject({ url: '/apis', headers: { ...AUTH, accept: ACCEPT_133 } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe(V2);
    expect(r.headers.vary).toBe('Accept');
    expect(r.json()).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(r.json().items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['apps', 'autoscaling']);
    const old = await ts.app.inject({ url: '/api', headers: { ...AUTH, accept: ACCEPT_127 } });
    expect(old.headers['content-type']).toBe(V2B1);
    expect(old.json().items[0].metadata.name).toBe('');
    expect(old.json().items[0].versions[0].resources.map((x: { resource: string }) => x.resource)).toEqual(['configmaps', 'namespaces', 'pods']);
  });

  it('answers If-None-Match with 304 and changes the ETag when a CRD appears or goes', async () => {
    ts = createTestServer();
    const first = await ts.app.inject({ url: '/apis', headers: { ...AUTH, accept: ACCEPT_133 } });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[0-9A-F]+"$/);
    const again = await ts.app.inject({ url: '/apis', headers: { ...AUTH, accept: ACCEPT_133, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    ts.catalog.set([...fakeDefinitions(), def({ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', custom: true, shortNames: ['wd'] })]);
    const changed = await ts.app.inject({ url: '/apis', headers: { ...AUTH, accept: ACCEPT_133, 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json().items.map((i: { metadata: { name: string } }) => i.metadata.name)).toContain('example.com');
    expect((await ts.app.inject({ url: '/apis/example.com/v1', headers: AUTH })).json().resources[0].shortNames).toEqual(['wd']);
    expect((await ts.app.inject({ url: '/apis/example.com/v1/namespaces/d/widgets', headers: AUTH })).statusCode).toBe(200);

    ts.catalog.set(fakeDefinitions());
    expect((await ts.app.inject({ url: '/apis/example.com/v1/namespaces/d/widgets', headers: AUTH })).statusCode).toBe(404);
    const back = await ts.app.inject({ url: '/apis', headers: { ...AUTH, accept: ACCEPT_133, 'if-none-match': etag } });
    expect(back.statusCode).toBe(304);
  });
});
