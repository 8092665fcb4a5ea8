import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isRetryable, translateEtcdError } from './errors.js';
import { Code, GrpcChannel, type GrpcError } from './grpc-channel.js';

// The gRPC channel against a plain HTTP/2 server standing in for etcd: framing, status trailers,
// deadlines, and how transport failures are classified (never sent vs. answer lost).

function framed(msg: Buffer): Buffer {
  const out = Buffer.alloc(5 + msg.length);
  out.writeUInt32BE(msg.length, 1);
  msg.copy(out, 5);
  return out;
}

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;
const servers: http2.Http2Server[] = [];
const channels: GrpcChannel[] = [];

async function serve(handler: Handler): Promise<{ url: URL; server: http2.Http2Server; sessions: Set<http2.ServerHttp2Session> }> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => sessions.add(s));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
    stream.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), server, sessions };
}

function channel(url: URL, keepaliveMs = 60_000, keepaliveTimeoutMs = 1000): GrpcChannel {
  const c = new GrpcChannel(url, { keepaliveMs, keepaliveTimeoutMs });
  channels.push(c);
  return c;
}

afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

const ok = (stream: http2.ServerHttp2Stream, ...parts: Buffer[]) => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  for (const p of parts) stream.write(p);
  stream.end();
};

describe('GrpcChannel', () => {
  it('sends the framed request with gRPC headers and returns the answer split over many writes', async () => {
    const big = Buffer.alloc(300_000, 5);
    let seen: { headers: http2.IncomingHttpHeaders; body: Buffer } | undefined;
    const { url } = await serve((stream, headers, body) => {
      seen = { headers, body };
      const f = framed(big);
      // The answer arrives in pieces, the 5-byte prefix itself split.
      ok(stream, f.subarray(0, 3), f.subarray(3, 70_000), f.subarray(70_000));
    });
    const got = await channel(url).unary('/etcdserverpb.KV/Range', framed(Buffer.from('req')), 5000);
    expect(got.equals(big)).toBe(true);
    expect(seen!.headers[':path']).toBe('/etcdserverpb.KV/Range');
    expect(seen!.headers['content-type']).toBe('application/grpc');
    expect(seen!.headers.te).toBe('trailers');
    expect(seen!.headers.hasleader).toBe('true');
    expect(seen!.headers['grpc-timeout']).toBe('5000m');
    expect(seen!.body.equals(framed(Buffer.from('req')))).toBe(true);
  });

  it('a trailers-only error carries its code and percent-decoded message', async () => {
    const { url } = await serve((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(Code.OUT_OF_RANGE), 'grpc-message': 'etcdserver: mvcc: required revision has been compacted%2C sorry' }, { endStream: true });
    });
    const err = (await channel(url).unary('/x', framed(Buffer.alloc(0)), 5000).catch((e: unknown) => e)) as GrpcError;
    expect(err.code).toBe(Code.OUT_OF_RANGE);
    expect(err.details).toBe('etcdserver: mvcc: required revision has been compacted, sorry');
    expect(translateEtcdError(err, 'get', true)).toMatchObject({ code: 'Compacted' });
  });

  it('no answer before the deadline: DEADLINE_EXCEEDED, and a write is then of unknown outcome', async () => {
    const { url } = await serve(() => {});
    const err = (await channel(url).unary('/x', framed(Buffer.alloc(0)), 150).catch((e: unknown) => e)) as GrpcError;
    expect(err.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(isRetryable(err, false)).toBe(false);
    expect(translateEtcdError(err, 'create', false)).toMatchObject({ code: 'Timeout' });
  });

  it('nothing listening: UNAVAILABLE, certainly not sent (a write may go to another member); then backoff fails fast', async () => {
    const { url, server } = await serve(() => {});
    await new Promise((r) => server.close(r));
    servers.length = 0;
    const c = channel(url);
    const err = (await c.unary('/x', framed(Buffer.alloc(0)), 2000).catch((e: unknown) => e)) as GrpcError;
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toMatch(/No connection established/);
    expect(isRetryable(err, false)).toBe(true);
    const t0 = Date.now();
    const again = (await c.unary('/x', framed(Buffer.alloc(0)), 2000).catch((e: unknown) => e)) as GrpcError;
    expect(again.message).toMatch(/No connection established/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('the connection dies with a call in flight: UNAVAILABLE, answer lost (a write is not sent elsewhere)', async () => {
    const { url, sessions } = await serve(() => {
      for (const s of sessions) s.destroy();
    });
    const err = (await channel(url).unary('/x', framed(Buffer.alloc(0)), 5000).catch((e: unknown) => e)) as GrpcError;
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toMatch(/Connection dropped/);
    expect(isRetryable(err, false)).toBe(false);
    expect(isRetryable(err, true)).toBe(true);
  });

  it('a peer that stops answering pings is dropped while a call is open', async () => {
    const { url } = await serve(() => {});
    const c = channel(url, 100, 100);
    await c.unary('/warm', framed(Buffer.alloc(0)), 50).catch(() => {});
    const pending = c.unary('/x', framed(Buffer.alloc(0)), 10_000).catch((e: unknown) => e);
    // A frozen member: pings go out and are never acknowledged.
    const conn = (c as unknown as { conn: { s: http2.ClientHttp2Session } }).conn;
    conn.s.ping = (() => true) as typeof conn.s.ping;
    const err = (await pending) as GrpcError;
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.message).toMatch(/keepalive ping not answered/);
  });

  it('a stream delivers each message as it comes and ends on status OK', async () => {
    const { url } = await serve((stream) => ok(stream, framed(Buffer.from('a')), Buffer.concat([framed(Buffer.from('bb')), framed(Buffer.from('ccc'))])));
    const s = channel(url).stream('/etcdserverpb.Watch/Watch');
    const got: string[] = [];
    s.on('data', (m: Buffer) => got.push(m.toString()));
    s.write(framed(Buffer.from('create')));
    s.req!.end();
    await new Promise<void>((resolve, reject) => {
      s.on('end', resolve);
      s.on('error', reject);
    });
    expect(got).toEqual(['a', 'bb', 'ccc']);
  });
});
