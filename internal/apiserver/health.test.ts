import { afterEach, describe, expect, it } from 'vitest';
import { listen } from './server.js';
import { createTestServer, testVersion, type TestServer } from './testing/harness.js';

let ts: TestServer;
afterEach(async () => {
  await ts?.app.close();
});

describe('health and version endpoints', () => {
  it('answers ok, and lists checks with ?verbose like kube-apiserver', async () => {
    ts = createTestServer({ readiness: [{ name: 'etcd', check: () => true }] });
    const plain = await ts.app.inject({ url: '/readyz' });
    expect(plain.statusCode).toBe(200);
    expect(plain.body).toBe('ok');
    expect(plain.headers['content-type']).toBe('text/plain; charset=utf-8');
    const verbose = await ts.app.inject({ url: '/readyz?verbose' });
    expect(verbose.body).toBe('[+]ping ok\n[+]etcd ok\n[+]shutdown ok\nreadyz check passed\n');
    expect((await ts.app.inject({ url: '/livez?verbose' })).body).toBe('[+]ping ok\nlivez check passed\n');
    expect((await ts.app.inject({ url: '/healthz' })).body).toBe('ok');
  });

  it('fails /readyz with 500 until every readiness check passes, while /livez stays ok', async () => {
    let ready = false;
    ts = createTestServer({ readiness: [{ name: 'etcd', check: () => ready }, { name: 'informer-sync', check: () => undefined }] });
    const bad = await ts.app.inject({ url: '/readyz' });
    expect(bad.statusCode).toBe(500);
    expect(bad.body).toBe('[+]ping ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check failed\n');
    expect((await ts.app.inject({ url: '/livez' })).statusCode).toBe(200);
    const excluded = await ts.app.inject({ url: '/readyz?verbose&exclude=etcd&exclude=bogus' });
    expect(excluded.statusCode).toBe(200);
    expect(excluded.body).toContain('[+]etcd excluded: ok\n');
    expect(excluded.body).toContain('warn: some health checks cannot be excluded: no matches for "bogus"');
    expect((await ts.app.inject({ url: '/readyz/etcd' })).statusCode).toBe(500);
    expect((await ts.app.inject({ url: '/readyz/nope' })).statusCode).toBe(404);
    ready = true;
    expect((await ts.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await ts.app.inject({ url: '/readyz/etcd' })).body).toBe('ok');
  });

  it('treats a throwing check as failed', async () => {
    ts = createTestServer({ liveness: [{ name: 'loop', check: () => { throw new Error('stuck'); } }] });
    expect((await ts.app.inject({ url: '/livez' })).statusCode).toBe(500);
  });

  it('serves /version anonymously in upstream shape', async () => {
    ts = createTestServer();
    const r = await ts.app.inject({ url: '/version?timeout=32s' });
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json()).toEqual(testVersion);
  });
});

describe('graceful shutdown', () => {
  it('fails /readyz and answers API requests with a 503 Status once close() began, while /livez stays ok', async () => {
    ts = createTestServer();
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    // Hold close() in its preClose phase: the server still listens but is shutting down.
    ts.app.addHook('preClose', async () => blocked);
    const { url } = await listen(ts.app, '127.0.0.1', 0);
    const closing = ts.app.close();
    await new Promise((r) => setTimeout(r, 20));
    const ready = await fetch(`${url}/readyz?verbose`);
    expect(ready.status).toBe(500);
    expect(await ready.text()).toContain('[-]shutdown failed: reason withheld');
    expect((await fetch(`${url}/livez`)).status).toBe(200);
    const api = await fetch(`${url}/api/v1/namespaces`, { headers: { authorization: 'Bearer admin' } });
    expect(api.status).toBe(503);
    expect(api.headers.get('connection')).toBe('close');
    expect((await api.json()) as object).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    release();
    await closing;
  });
});

describe('/metrics', () => {
  it('counts requests by method and code and shows in-flight and watch gauges, for authenticated callers', async () => {
    ts = createTestServer();
    await ts.app.inject({ url: '/api/v1/namespaces', headers: { authorization: 'Bearer admin' } });
    await ts.app.inject({ url: '/api/v1/nope', headers: { authorization: 'Bearer admin' } });
    expect((await ts.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const m = await ts.app.inject({ url: '/metrics', headers: { authorization: 'Bearer admin' } });
    expect(m.body).toContain('apiserver_request_total{code="200",method="GET"} 1\n');
    expect(m.body).toContain('apiserver_request_total{code="404",method="GET"} 1\n');
    expect(m.body).toContain('apiserver_current_inflight_requests 0\n');
    expect(m.body).toContain('apiserver_registered_watchers 0\n');
  });
});
