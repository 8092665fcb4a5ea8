import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgeLimits } from './edge.js';
import { listen } from './server.js';
import { createRealServer, type RealServer } from './testing/real.js';

let rs: RealServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await rs?.app.close();
  rs = undefined;
});

async function serve(edge: Partial<EdgeLimits>) {
  rs = await createRealServer({ limits: { edge } });
  return (await listen(rs.app, '127.0.0.1', 0)).port;
}

/** Opens a raw connection, writes `text`, and resolves with everything read until the server closes it. */
function exchange(port: number, text: string, opts: { keep?: (s: Socket) => void } = {}): Promise<string> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    sockets.push(s);
    opts.keep?.(s);
    let out = '';
    s.on('data', (c) => (out += c));
    s.on('close', () => res(out));
    s.on('error', () => undefined);
  });
}

function statusOf(raw: string): { code: number; body: { kind: string; code: number; reason: string } } {
  const [head, body] = raw.split('\r\n\r\n');
  return { code: Number(head!.split(' ')[1]), body: JSON.parse(body!) };
}

describe('HTTP parser refusals are Status bodies', () => {
  it('431 for a request line over the header limit, 400 for garbage', async () => {
    const port = await serve({});
    const long = statusOf(await exchange(port, `GET /api/v1/pods?labelSelector=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(long).toMatchObject({ code: 431, body: { kind: 'Status', code: 431, reason: 'RequestHeaderFieldsTooLarge' } });
    const bad = statusOf(await exchange(port, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(bad).toMatchObject({ code: 400, body: { kind: 'Status', code: 400 } });
  });
});

describe('slow clients', () => {
  it('a client trickling its headers is answered 408 and disconnected', async () => {
    const port = await serve({ headersTimeoutMs: 300 });
    let timer: NodeJS.Timeout | undefined;
    const raw = await exchange(port, 'GET /api/v1/pods HTTP/1.1\r\n', {
      keep: (s) => {
        timer = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 50);
      },
    });
    clearInterval(timer);
    expect(statusOf(raw)).toMatchObject({ code: 408, body: { kind: 'Status', code: 408 } });
  });

  it('a body that stops arriving is answered 408', async () => {
    const port = await serve({ bodyTimeoutMs: 300, headersTimeoutMs: 300 });
    const before = await rs!.revision();
    const raw = await exchange(port, 'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    expect(statusOf(raw).code).toBe(408);
    expect(await rs!.revision()).toBe(before);
  });
});

describe('unauthenticated connections', () => {
  it('over the bound the oldest idle connection is dropped, so a new client still gets in; an authenticated one never is', async () => {
    const port = await serve({ maxUnauthenticatedConnections: 2 });
    const idle = () =>
      new Promise<{ s: Socket; closed: Promise<void> }>((res) => {
        const s = connect(port, '127.0.0.1', () => res({ s, closed: new Promise((r) => s.once('close', () => r())) }));
        sockets.push(s);
        s.on('error', () => undefined);
      });
    const a = await idle();
    // A request that authenticates on `a` makes it an ordinary connection, never dropped by the bound.
    const answered = new Promise<string>((res) => a.s.once('data', (c) => res(String(c))));
    a.s.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await answered).toMatch(/^HTTP\/1.1 200/);
    const b = await idle();
    const c = await idle();
    // At the bound (b, c idle), a new client is served and the oldest idle connection, b, is dropped.
    const raw = await exchange(port, 'GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1.1 200/);
    await b.closed;
    expect(c.s.destroyed).toBe(false);
    expect(a.s.destroyed).toBe(false);
    const metrics = await rs!.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/kplane_apiserver_dropped_connections_total 1\n/);
  });
});
