import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiServerOptions } from './server.js';
import { createTestServer, type TestServer } from './testing/harness.js';

// In-flight limits per class with per-user fairness, request timeouts and watch caps, through HTTP.

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.app.close();
  ts = undefined;
});

/** Refusals are answered at once here (their delay has its own test in seats.test.ts). */
function setup(limits: ApiServerOptions['limits']): TestServer {
  ts = createTestServer({ limits: { refusalDelayMs: 0, ...limits } });
  return ts;
}

const as = (user: string, o: InjectOptions = {}): InjectOptions => ({ url: '/api/v1/namespaces/d/configmaps', ...o, headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json', ...o.headers } });

/** Makes the fake handler hold every request until release() is called. */
function hold(t: TestServer): { release: () => void; started: () => number } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let n = 0;
  const orig = t.handler.handle.bind(t.handler);
  t.handler.handle = async (req) => {
    n++;
    await gate;
    return orig(req);
  };
  return { release: open, started: () => n };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

/** Waits (bounded) until `n` requests reached the held handler: a fixed wait lost the race on a loaded machine. */
async function started(h: { started: () => number }, n: number): Promise<void> {
  for (let i = 0; h.started() < n; i++) {
    if (i > 1000) throw new Error(`only ${h.started()} of ${n} requests reached the handler`);
    await tick();
  }
}

describe('in-flight limits', () => {
  it('reads and writes have separate limits: a write gets a seat while reads are full', async () => {
    const t = setup({ maxReadOnlyInFlight: 1, maxMutatingInFlight: 1, queueLengthPerUser: 0 });
    const h = hold(t);
    const read = t.app.inject(as('a'));
    await started(h, 1);
    expect((await t.app.inject(as('a'))).statusCode).toBe(429);
    const write = t.app.inject(as('a', { method: 'POST', payload: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w' } }) }));
    await started(h, 2);
    h.release();
    expect((await read).statusCode).toBe(200);
    expect((await write).statusCode).toBe(201);
  });

  it('a user over its queue gets 429 with Retry-After while another user still queues and is served', async () => {
    const t = setup({ maxReadOnlyInFlight: 1, queueLengthPerUser: 2 });
    const h = hold(t);
    const flood = [0, 1, 2].map(() => t.app.inject(as('flood')));
    await started(h, 1);
    await tick();
    const refused = await t.app.inject(as('flood'));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    const polite = t.app.inject(as('polite'));
    h.release();
    expect((await polite).statusCode).toBe(200);
    for (const r of await Promise.all(flood)) expect(r.statusCode).toBe(200);
    const metrics = await t.app.inject(as('a', { url: '/metrics' }));
    expect(metrics.body).toContain('kplane_apiserver_rejected_requests_total 1');
  });

  it('a request waiting longer than the queue wait is refused 429', async () => {
    const t = setup({ maxReadOnlyInFlight: 1, queueWaitMs: 50 });
    const h = hold(t);
    const first = t.app.inject(as('a'));
    await started(h, 1);
    expect((await t.app.inject(as('b'))).statusCode).toBe(429);
    h.release();
    expect((await first).statusCode).toBe(200);
  });
});

describe('watch starts', () => {
  it('take a read-only seat: refused 429 while the reads are full, started once a seat is free', async () => {
    const t = setup({ maxReadOnlyInFlight: 1, queueLengthPerUser: 0 });
    const h = hold(t);
    const read = t.app.inject(as('a'));
    await started(h, 1);
    const watch = as('b', { url: '/api/v1/namespaces/d/configmaps?watch=1&timeoutSeconds=1' });
    const refused = await t.app.inject(watch);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    h.release();
    expect((await read).statusCode).toBe(200);
    // The stream holds no seat: once the watch started, a read is served while it is still open.
    let ended = false;
    const streamed = t.app.inject(watch).then((r) => ((ended = true), r));
    let read2 = await t.app.inject(as('a'));
    for (let i = 0; read2.statusCode === 429 && i < 50; i++) {
      await tick();
      read2 = await t.app.inject(as('a'));
    }
    expect(read2.statusCode).toBe(200);
    expect(ended).toBe(false);
    expect((await streamed).statusCode).toBe(200);
  });
});

describe('request timeout', () => {
  it('answers 504 Timeout after --request-timeout and holds the seat until the handler returns', async () => {
    const t = setup({ requestTimeoutMs: 50, maxReadOnlyInFlight: 1, queueLengthPerUser: 0 });
    const h = hold(t);
    const r = await t.app.inject(as('a'));
    expect(r.statusCode).toBe(504);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'Timeout', code: 504 });
    expect((await t.app.inject(as('b'))).statusCode).toBe(429);
    h.release();
    await tick();
    expect(h.started()).toBe(1);
  });
});

describe('watch caps', () => {
  it('refuses a user more watches than its cap with 429; other users still watch', async () => {
    const t = setup({ maxWatchesPerUser: 1, requestTimeoutMs: 50 });
    const { port } = await import('./server.js').then((m) => m.listen(t.app, '127.0.0.1', 0));
    const open = (user: string) =>
      new Promise<{ status: number; close: () => void }>((resolve) => {
        import('node:http').then(({ request }) => {
          const req = request({ port, host: '127.0.0.1', path: '/api/v1/namespaces/d/configmaps?watch=1', headers: { authorization: `Bearer ${user}` } }, (res) => resolve({ status: res.statusCode!, close: () => req.destroy() }));
          req.end();
        });
      });
    const first = await open('w');
    expect(first.status).toBe(200);
    // Watches are long-running: the request timeout does not end them.
    await new Promise((r) => setTimeout(r, 100));
    const second = await open('w');
    expect(second.status).toBe(429);
    const other = await open('x');
    expect(other.status).toBe(200);
    for (const w of [first, second, other]) w.close();
  });
});
