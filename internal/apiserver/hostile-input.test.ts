import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { apiErrors } from '../api/index.js';
import { AUTH, createTestServer } from './testing/harness.js';
import { createRealServer, type RealServer } from './testing/real.js';

// Regression tests for hostile request bodies found by hand (issue 17) and by the fuzzer: each
// answers a 4xx Status, and a refused request writes nothing.

let rs: RealServer | undefined;
afterEach(async () => {
  await rs?.app.close();
  rs = undefined;
});

const CM_URL = '/api/v1/namespaces/default/configmaps';

async function post(body: string, contentType = 'application/json', url = CM_URL) {
  rs ??= await createRealServer();
  return rs.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload: body });
}

function expectStatus(r: { statusCode: number; json(): unknown }, code: number, message: RegExp) {
  expect(r.statusCode).toBe(code);
  expect(r.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code });
  expect((r.json() as { message: string }).message).toMatch(message);
}

const nested = (depth: number) => `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;

describe('nesting depth', () => {
  it('refuses JSON nested 100,000 deep with 400 and writes nothing (was 500: stack overflow)', async () => {
    rs = await createRealServer();
    const before = await rs.revision();
    expectStatus(await post(nested(100_000)), 400, /exceeded max depth of 10000/);
    expect(await rs.revision()).toBe(before);
  });

  it('decodes JSON just under the limit into an ordinary validation error', async () => {
    // data must be a map of strings: a 4xx from validation, not from the decoder, and no 500.
    const r = await post(nested(9_990));
    expect(r.statusCode).toBeGreaterThanOrEqual(400);
    expect(r.statusCode).toBeLessThan(500);
    expect(r.json().message).not.toMatch(/max depth/);
  });

  it('refuses deep YAML flow collections and deep JSON patches', async () => {
    expectStatus(await post(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\ndata: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`, 'application/yaml'), 400, /max depth/);
    await post('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p"}}');
    const before = await rs!.revision();
    const deepPatch = `{"data":{"a":${'{"b":'.repeat(20_000)}1${'}'.repeat(20_000)}}}`;
    const r = await rs!.app.inject({ method: 'PATCH', url: `${CM_URL}/p`, headers: { 'content-type': 'application/merge-patch+json' }, payload: deepPatch });
    expectStatus(r, 400, /max depth/);
    expect(await rs!.revision()).toBe(before);
  });
});

describe('YAML aliases', () => {
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const n of 'bcdefghi') laughs.push(`${n}: &${n} [${Array(9).fill(`*${String.fromCharCode(n.charCodeAt(0) - 1)}`).join(',')}]`);
  const bomb = `${laughs.join('\n')}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n`;

  it('refuses a billion-laughs body with 400 naming the aliases (was 500)', async () => {
    rs = await createRealServer();
    const before = await rs.revision();
    expectStatus(await post(bomb, 'application/yaml'), 400, /alias/);
    expect(await rs.revision()).toBe(before);
  });

  it('refuses aliases that expand past the body limit and cyclic aliases', async () => {
    const big = `x: &x "${'z'.repeat(100_000)}"\ndata: {${Array.from({ length: 40 }, (_, i) => `k${i}: *x`).join(', ')}}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\n`;
    expectStatus(await post(big, 'application/yaml'), 400, /expands to more than/);
    const cyclic = 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: c, labels: *m}\n';
    const r = await post(cyclic, 'application/yaml');
    expect(r.statusCode).toBe(400);
    expect(r.json().kind).toBe('Status');
  });

  it('still accepts ordinary aliases (a shared map becomes two copies)', async () => {
    const ok = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared, labels: &l {app: x}, annotations: *l}\n';
    const r = await post(ok, 'application/yaml');
    expect(r.statusCode).toBe(201);
    expect(r.json().metadata.annotations).toEqual({ app: 'x' });
  });
});

describe('unknown field names in Warning headers', () => {
  it('answers 201 with a sanitized Warning for a control character in a field name (was 500 after the write)', async () => {
    rs = await createRealServer();
    const r = await post('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ctl"},"x\\u0001y":1,"\\u4e2d":2}');
    expect(r.statusCode).toBe(201);
    expect(r.json().metadata.name).toBe('ctl');
    const warning = String(r.headers.warning);
    expect(warning).toContain('x\\\\u0001y');
    // UTF-8 bytes on the wire, as Go sends them.
    expect(Buffer.from(warning, 'latin1').toString('utf8')).toContain('\u4e2d');
  });
});

describe('internal errors', () => {
  it('logs a 500 once at error level with method, URL, user and stack, and counts it', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(JSON.parse(String(chunk))), cb()) });
    const { app, handler } = createTestServer({ logger: pino({ level: 'info' }, sink) });
    const boom = new Error('boom');
    handler.failWith = apiErrors.internal('boom', boom);
    const r = await app.inject({ url: '/api/v1/namespaces/d/configmaps/x', headers: AUTH });
    expect(r.statusCode).toBe(500);
    expect(r.json().kind).toBe('Status');
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ method: 'GET', url: '/api/v1/namespaces/d/configmaps/x', user: 'admin' });
    expect((errors[0]!.err as { stack: string }).stack).toContain('hostile-input.test.ts');
    const metrics = await app.inject({ url: '/metrics', headers: AUTH });
    expect(metrics.body).toContain('kplane_apiserver_unexpected_errors_total 1');
    expect(metrics.body).toContain('apiserver_request_total{code="500",method="GET"} 1');
    await app.close();
  });
});

describe('found by the fuzzer', () => {
  it('a URL fastify cannot decode is a 400 Status (was fastify FST_ERR_BAD_URL JSON)', async () => {
    rs = await createRealServer();
    for (const url of ['/%/api', '/api/v1/namespaces/%E0%A4%A/configmaps']) {
      const r = await rs.app.inject({ url });
      expectStatus(r, 400, /not a valid url component/);
    }
  });
});

describe('watch timeouts', () => {
  it('a timeoutSeconds past what a Node timer holds keeps the watch open (it ended at once, with a TimeoutOverflowWarning)', async () => {
    const { WatchHub } = await import('./watch.js');
    const { realClock } = await import('../util/index.js');
    const hub = new WatchHub(10, realClock);
    const session = hub.start(1e23, 'u')!;
    await new Promise((r) => setTimeout(r, 20));
    expect(session.signal.aborted).toBe(false);
    session.done();
  });
});

describe('prototype pollution (found by the fuzzer)', () => {
  it('a strategic merge patch with __proto__ keys answers a 4xx and pollutes nothing (was 500, or Object.prototype.polluted set)', async () => {
    rs = await createRealServer();
    await post('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p"}}');
    for (const payload of ['{"data":{"__proto__":{"__proto__":[]}}}', '{"data":{"__proto__":{"polluted":"x"}}}']) {
      const r = await rs.app.inject({ method: 'PATCH', url: `${CM_URL}/p`, headers: { 'content-type': 'application/strategic-merge-patch+json' }, payload });
      expect(r.statusCode).toBeLessThan(500);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });
});
