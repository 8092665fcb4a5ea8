import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { listen } from './server.js';
import { AUTH, createTestServer, type TestServer } from './testing/harness.js';

let ts: TestServer;
let base: string;
afterEach(async () => {
  await ts?.app.close();
});

async function start(...args: Parameters<typeof createTestServer>): Promise<TestServer> {
  ts = createTestServer(...args);
  base = (await listen(ts.app, '127.0.0.1', 0)).url;
  return ts;
}

/** Opens a GET and resolves as soon as the response headers arrive (before any body). */
function open(path: string, headers: Record<string, string> = AUTH): Promise<{ res: IncomingMessage; abort: () => void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { headers }, (res) => resolve({ res, abort: () => req.destroy() }));
    req.on('error', reject);
    req.end();
  });
}

/** Collects newline-delimited lines from a response. */
function lines(res: IncomingMessage) {
  const got: string[] = [];
  let buf = '';
  const waiters: (() => void)[] = [];
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      got.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    waiters.splice(0).forEach((w) => w());
  });
  const ended = new Promise<void>((r) => res.on('end', () => r()));
  return {
    got,
    ended,
    async waitFor(n: number) {
      while (got.length < n) await new Promise<void>((r) => waiters.push(r));
      return got.slice(0, n).map((l) => JSON.parse(l));
    },
  };
}

async function until(cond: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const cm = (name: string, rv: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'd', resourceVersion: rv } });

describe('HTTP watch', () => {
  it('flushes headers before the first event, then streams one compact JSON event per line', async () => {
    const { handler } = await start();
    const { res } = await open('/api/v1/namespaces/d/configmaps?watch=True&resourceVersion=5&allowWatchBookmarks=true');
    // Headers arrived while no event exists yet.
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(handler.watches).toHaveLength(1);
    expect(handler.watches[0]!.req).toMatchObject({ verb: 'watch', namespace: 'd', params: { resourceVersion: '5', allowWatchBookmarks: true } });
    const l = lines(res);
    const ch = handler.watches[0]!.channel;
    ch.push({ type: 'ADDED', object: cm('a', '6') });
    ch.push({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '7' } } });
    ch.push({ type: 'DELETED', object: cm('a', '8') });
    expect(await l.waitFor(3)).toEqual([
      { type: 'ADDED', object: cm('a', '6') },
      { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '7' } } },
      { type: 'DELETED', object: cm('a', '8') },
    ]);
    expect(l.got[0]).toBe(JSON.stringify({ type: 'ADDED', object: cm('a', '6') }));
    ch.close();
    await l.ended;
  });

  it('ends after an ERROR event (too old resourceVersion is 200 + ERROR)', async () => {
    const { handler } = await start();
    const { res } = await open('/api/v1/configmaps?watch=1&resourceVersion=1');
    const l = lines(res);
    const expired = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (948)', reason: 'Expired', code: 410 };
    handler.watches[0]!.channel.push({ type: 'ERROR', object: expired as never });
    await l.ended;
    expect(l.got.map((x) => JSON.parse(x))).toEqual([{ type: 'ERROR', object: expired }]);
    expect(handler.watches[0]!.req.signal.aborted).toBe(true);
  });

  it('reports an event source failure mid-stream as an ERROR event with a 500 Status', async () => {
    const { handler } = await start();
    handler.watch = async () => ({
      events: (async function* () {
        yield { type: 'ADDED' as const, object: cm('a', '2') };
        throw new Error('backend gone');
      })(),
    });
    const { res } = await open('/api/v1/configmaps?watch=true');
    const l = lines(res);
    await l.ended;
    expect(JSON.parse(l.got[1]!)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 500, reason: 'InternalError' } });
  });

  it('ends cleanly after timeoutSeconds', async () => {
    const { handler } = await start();
    const t0 = Date.now();
    const { res } = await open('/api/v1/configmaps?watch=true&timeoutSeconds=1');
    const l = lines(res);
    await l.ended;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(handler.watches[0]!.req.params.timeoutSeconds).toBe(1);
    expect(handler.watches[0]!.req.signal.aborted).toBe(true);
  });

  it('aborts the handler signal when the client disconnects', async () => {
    const { handler } = await start();
    const { abort } = await open('/api/v1/configmaps?watch=true');
    const signal = handler.watches[0]!.req.signal;
    expect(signal.aborted).toBe(false);
    abort();
    await until(() => signal.aborted);
  });

  it('ends open watches when the server closes', async () => {
    const { app, handler } = await start();
    const { res } = await open('/api/v1/configmaps?watch=true');
    const l = lines(res);
    const t0 = Date.now();
    await app.close();
    await l.ended;
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(handler.watches[0]!.req.signal.aborted).toBe(true);
  });

  it('narrows an item watch (and the legacy /watch/ path) to fieldSelector metadata.name', async () => {
    const { handler } = await start();
    const a = await open('/api/v1/namespaces/d/configmaps/c1?watch=true&fieldSelector=metadata.namespace%3Dd');
    const b = await open('/api/v1/watch/namespaces/d/configmaps/c2');
    expect(handler.watches.map((w) => w.req.params.fieldSelector)).toEqual(['metadata.namespace=d,metadata.name=c1', 'metadata.name=c2']);
    expect(handler.watches[1]!.req.name).toBeUndefined();
    a.abort();
    b.abort();
  });

  it('streams Table events for kubectl get -w: column definitions in the first event only', async () => {
    const { handler } = await start();
    const { res } = await open('/api/v1/namespaces/d/configmaps?watch=true&resourceVersion=3', {
      ...AUTH,
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
    });
    const l = lines(res);
    handler.watches[0]!.channel.push({ type: 'ADDED', object: cm('a', '4') });
    handler.watches[0]!.channel.push({ type: 'MODIFIED', object: cm('a', '5') });
    const [e1, e2] = await l.waitFor(2);
    expect(e1).toMatchObject({ type: 'ADDED', object: { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '4' } } });
    expect(e1.object.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Age']);
    expect(e1.object.rows[0].cells[0]).toBe('a');
    expect(e2.object.columnDefinitions).toBeNull();
    handler.watches[0]!.channel.close();
  });

  it('answers 429 with Retry-After over the watch limit, and frees the slot when a watch ends', async () => {
    const { handler } = await start({ limits: { maxWatches: 1 } });
    const first = await open('/api/v1/configmaps?watch=true');
    const second = await fetch(`${base}/api/v1/configmaps?watch=true`, { headers: AUTH });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await second.json()) as object).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    handler.watches[0]!.channel.close();
    await lines(first.res).ended;
    const third = await open('/api/v1/configmaps?watch=true');
    expect(third.res.statusCode).toBe(200);
    third.abort();
  });

  it('answers Status errors from Handler.watch before streaming', async () => {
    const { handler } = await start();
    const { apiErrors } = await import('../api/index.js');
    handler.failWith = apiErrors.forbidden({ group: '', resource: 'configmaps' }, '', 'no');
    const r = await fetch(`${base}/api/v1/configmaps?watch=true`, { headers: AUTH });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { reason: string }).reason).toBe('Forbidden');
  });
});

describe('connect subresources without a kubelet', () => {
  it('answers exec and log quickly with a Status, over HTTP even for SPDY and websocket upgrades', async () => {
    const { handler } = await start();
    handler.seed('', 'pods', { metadata: { name: 'p', namespace: 'd' }, spec: {} });
    handler.seed('', 'pods', { metadata: { name: 'q', namespace: 'd' }, spec: { nodeName: 'n1' } });
    const log = await fetch(`${base}/api/v1/namespaces/d/pods/p/log?container=c`, { headers: AUTH });
    expect(log.status).toBe(400);
    expect((await log.json()) as object).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'pod p does not have a host assigned' });
    const onNode = await fetch(`${base}/api/v1/namespaces/d/pods/q/log`, { headers: AUTH });
    expect(onNode.status).toBe(500);
    expect((await fetch(`${base}/api/v1/namespaces/d/pods/nope/log`, { headers: AUTH })).status).toBe(404);
    // kubectl <= 1.29: POST with Upgrade: SPDY/3.1 gets a plain HTTP Status instead of a 101.
    const spdy = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/api/v1/namespaces/d/pods/q/exec?command=ls&stdout=true`, {
        method: 'POST',
        headers: { ...AUTH, connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('unexpected upgrade')));
      req.on('error', reject);
      req.end();
    });
    expect(spdy.status).toBe(500);
    expect(JSON.parse(spdy.body)).toMatchObject({ kind: 'Status', code: 500 });
  });
});

describe('websocket watch', () => {
  function connect(path: string, headers: Record<string, string>, protocols: string[] = []) {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${path}`, protocols, { headers });
    const messages: string[] = [];
    const binary: boolean[] = [];
    ws.on('message', (m, isBinary) => {
      messages.push(m.toString());
      binary.push(isBinary);
    });
    const opened = new Promise<void>((resolve, reject) => {
      ws.on('open', () => resolve());
      ws.on('unexpected-response', (req, res) => {
        // ws leaves the request to us once we listen for this event.
        req.destroy();
        reject(new Error(`HTTP ${res.statusCode}`));
      });
      ws.on('error', reject);
    });
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    return { ws, messages, binary, opened, closed };
  }

  it('streams one text message per event on the same URL', async () => {
    const { handler } = await start();
    const c = connect('/api/v1/namespaces/d/configmaps?watch=true', { ...AUTH, origin: 'http://localhost' });
    await c.opened;
    await until(() => handler.watches.length === 1);
    handler.watches[0]!.channel.push({ type: 'ADDED', object: cm('a', '2') });
    handler.watches[0]!.channel.push({ type: 'MODIFIED', object: cm('a', '3') });
    await until(() => c.messages.length === 2);
    expect(c.messages.map((m) => JSON.parse(m))).toEqual([
      { type: 'ADDED', object: cm('a', '2') },
      { type: 'MODIFIED', object: cm('a', '3') },
    ]);
    expect(c.binary).toEqual([false, false]);
    c.ws.close();
    await until(() => handler.watches[0]!.req.signal.aborted);
  });

  it('closes the socket when the watch ends', async () => {
    const { handler } = await start();
    const c = connect('/api/v1/configmaps?watch=true', { ...AUTH, origin: 'http://localhost' }, ['base64.binary.k8s.io']);
    await c.opened;
    expect(c.ws.protocol).toBe('base64.binary.k8s.io');
    await until(() => handler.watches.length === 1);
    handler.watches[0]!.channel.close();
    await c.closed;
  });

  it('refuses upgrades without Origin (403), anonymous (401) and with errors as HTTP Status', async () => {
    const { handler } = await start();
    await expect(connect('/api/v1/configmaps?watch=true', AUTH).opened).rejects.toThrow('HTTP 403');
    await expect(connect('/api/v1/configmaps?watch=true', { origin: 'http://x' }).opened).rejects.toThrow('HTTP 401');
    await expect(connect('/api/v1/widgets?watch=true', { ...AUTH, origin: 'http://x' }).opened).rejects.toThrow('HTTP 404');
    await expect(connect('/api/v1/configmaps?watch=true', { ...AUTH, origin: 'http://x' }, ['a', 'b']).opened).rejects.toThrow('HTTP 400');
    expect(handler.watches).toHaveLength(0);
  });
});
