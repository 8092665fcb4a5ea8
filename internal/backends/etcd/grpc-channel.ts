import { EventEmitter } from 'node:events';
import * as http2 from 'node:http2';

/**
 * gRPC over one HTTP/2 connection to one etcd member, with Node's own http2 and nothing between:
 * a call is one stream, its messages carry gRPC's 5-byte prefix (no compression), its outcome is
 * the grpc-status trailer. Reconnects with backoff after the connection fails; keepalive pings
 * while calls are open notice a member that stopped answering (ping unanswered → the connection is
 * dropped and its calls fail).
 */

/** gRPC status codes (the wire's numbers). */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
const NAMES = Object.fromEntries(Object.entries(Code).map(([k, v]) => [v, k]));

/** A failed call: its gRPC status code and etcd's (or the transport's) message. */
export interface GrpcError extends Error {
  code: number;
  details: string;
}

export function grpcError(code: number, details: string): GrpcError {
  return Object.assign(new Error(`${code} ${NAMES[code] ?? 'UNKNOWN'}: ${details}`), { code, details });
}

export interface ChannelOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Ping interval while calls are open. */
  keepaliveMs: number;
  /** A ping not answered in this time drops the connection. */
  keepaliveTimeoutMs: number;
}

/** Receive windows large enough that a whole-resource list is not paced by window updates. */
const WINDOW = 16 << 20;
const MIN_BACKOFF_MS = 100;
/** A keepalive timer this late means this process was not running: its wait starts again. */
const STALL_MS = 250;
const MAX_BACKOFF_MS = 1000;

/**
 * HTTP/2 stream ids are odd numbers below 2^31: a connection carries about a billion calls. One
 * that has carried this many is retired (closed once its calls finish) and a new one opened.
 */
const MAX_STREAMS_PER_CONNECTION = 1 << 29;

interface Conn {
  s: http2.ClientHttp2Session;
  connected: boolean;
  active: number;
  streams: number;
  /** When the member last sent anything (an answer's headers or data, a ping's ack). */
  heardAt: number;
  pinging: boolean;
  timer: NodeJS.Timeout;
}

export class GrpcChannel {
  private conn: Conn | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private retryAt = 0;
  private lastError = 'not connected yet';
  private closed = false;

  constructor(
    private readonly url: URL,
    private readonly o: ChannelOptions,
  ) {}

  /** A unary call: resolves with the answer's message (without its prefix). */
  unary(path: string, frame: Buffer, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      let msg: Buffer | undefined;
      const s = this.open(path, timeoutMs, {
        message: (m) => {
          msg = m;
        },
        end: (err) => (err ? reject(err) : msg ? resolve(msg) : reject(grpcError(Code.INTERNAL, 'etcd answered without a message'))),
      });
      s?.end(frame);
    });
  }

  /** A streaming call (Watch, LeaseKeepAlive): messages in both directions until either side ends. */
  stream(path: string): GrpcStream {
    const gs = new GrpcStream();
    gs.req = this.open(path, 0, {
      message: (m) => gs.emit('data', m),
      // A stream this side canceled ends quietly; a failure found before the caller could listen is told on the next tick.
      end: (err) => process.nextTick(() => gs.canceled || (err ? gs.emit('error', err) : gs.emit('end'))),
    });
    return gs;
  }

  private open(path: string, timeoutMs: number, h: { message(m: Buffer): void; end(err?: GrpcError): void }): http2.ClientHttp2Stream | undefined {
    let c: Conn;
    try {
      c = this.connection();
    } catch (err) {
      h.end(err as GrpcError);
      return undefined;
    }
    const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', hasleader: 'true' };
    if (timeoutMs > 0) headers['grpc-timeout'] = `${Math.max(1, Math.ceil(timeoutMs))}m`;
    let req: http2.ClientHttp2Stream;
    try {
      req = c.s.request(headers);
    } catch (err) {
      // The session is closing (GOAWAY, destroyed): nothing was sent.
      if (this.conn === c) this.conn = undefined;
      h.end(grpcError(Code.UNAVAILABLE, `No connection established: ${(err as Error).message}`));
      return undefined;
    }
    c.active++;
    c.streams++;
    let done = false;
    let status: string | undefined;
    let message = '';
    const finish = (err?: GrpcError) => {
      if (done) return;
      done = true;
      c.active--;
      clearTimeout(timer);
      if (err && !req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
      h.end(err);
    };
    const timer = timeoutMs > 0 ? setTimeout(() => finish(grpcError(Code.DEADLINE_EXCEEDED, `Deadline exceeded after ${(timeoutMs / 1000).toFixed(3)}s${c.connected ? '' : ' (No connection established)'}`)), timeoutMs) : undefined;
    const takeStatus = (hs: http2.IncomingHttpHeaders) => {
      if (hs['grpc-status'] !== undefined) status = String(hs['grpc-status']);
      if (hs['grpc-message'] !== undefined) message = decodeMessage(String(hs['grpc-message']));
    };
    req.on('response', (hs) => {
      c.heardAt = Date.now();
      const st = hs[':status'];
      if (st !== 200) return finish(grpcError(Code.UNKNOWN, `etcd answered HTTP status ${String(st)}`));
      takeStatus(hs);
    });
    req.on('trailers', takeStatus);
    const frames = new FrameReader();
    req.on('data', (chunk: Buffer) => {
      c.heardAt = Date.now();
      frames.push(chunk);
      for (let m = frames.next(); m; m = frames.next()) {
        if (m === COMPRESSED) return finish(grpcError(Code.INTERNAL, 'etcd sent a compressed message; none was asked for'));
        h.message(m);
      }
    });
    req.on('error', (err: Error) => finish(this.transportError(c, err)));
    req.on('close', () => {
      if (status === undefined) return finish(this.transportError(c, new Error(`stream closed without a status (HTTP/2 code ${req.rstCode})`)));
      const code = Number(status);
      finish(code === Code.OK ? undefined : grpcError(code, message || NAMES[code] || 'unknown'));
    });
    return req;
  }

  /** How a stream that failed below gRPC is reported: never sent, or sent and its answer lost. */
  private transportError(c: Conn, err: Error): GrpcError {
    if (!c.connected) return grpcError(Code.UNAVAILABLE, `No connection established: ${err.message}`);
    const refused = (err as { code?: string }).code === 'ERR_HTTP2_STREAM_ERROR' && /REFUSED_STREAM/.test(err.message);
    return grpcError(Code.UNAVAILABLE, `${refused ? 'stream refused before processing' : 'Connection dropped'}: ${err.message}`);
  }

  private connection(): Conn {
    if (this.closed) throw grpcError(Code.UNAVAILABLE, 'No connection established: the client is closed');
    const cur = this.conn;
    if (cur && !cur.s.closed && !cur.s.destroyed) {
      if (cur.streams < MAX_STREAMS_PER_CONNECTION) return cur;
      this.conn = undefined;
      cur.s.close();
    }
    if (Date.now() < this.retryAt) throw grpcError(Code.UNAVAILABLE, `No connection established: ${this.lastError}`);
    const secure = this.url.protocol === 'https:';
    const s = http2.connect(`${this.url.protocol}//${this.url.host}`, {
      ...(secure ? { ca: this.o.ca, cert: this.o.cert, key: this.o.key } : {}),
      settings: { initialWindowSize: WINDOW, enablePush: false },
      maxSessionMemory: 512,
    });
    const c: Conn = { s, connected: false, active: 0, streams: 0, heardAt: Date.now(), pinging: false, timer: setInterval(() => this.ping(c), Math.min(500, this.o.keepaliveMs)) };
    c.timer.unref();
    this.conn = c;
    s.once('connect', () => {
      c.connected = true;
      this.backoffMs = MIN_BACKOFF_MS;
      if (!s.destroyed) s.setLocalWindowSize(WINDOW);
    });
    s.on('error', (err) => {
      this.lastError = err.message;
    });
    // After GOAWAY the session takes no new streams; the next call opens a new connection.
    s.on('goaway', () => {
      if (this.conn === c) this.conn = undefined;
    });
    s.once('close', () => {
      clearInterval(c.timer);
      if (this.conn === c) this.conn = undefined;
      if (!c.connected) {
        this.retryAt = Date.now() + this.backoffMs;
        this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      }
    });
    return c;
  }

  /**
   * A keepalive round: only on a connection with calls open and nothing heard from the member for
   * a whole interval (any answer proves it alive). A ping not acknowledged in time drops the
   * connection, but only after this process has read what arrived meanwhile (the check runs after
   * the event loop's I/O phase), and never because this process itself was stalled (a timer that
   * fires late starts a new wait instead): a busy or paused kplane must not declare etcd dead.
   */
  private ping(c: Conn): void {
    if (!c.connected || c.active === 0 || c.s.destroyed || c.pinging) return;
    if (Date.now() - c.heardAt < this.o.keepaliveMs) return;
    let acked = false;
    const wait = (ms: number) => {
      const due = Date.now() + ms;
      setTimeout(() => {
        if (acked || c.s.destroyed) return;
        if (Date.now() - due > STALL_MS) return wait(ms);
        setImmediate(() => {
          if (acked || c.s.destroyed) return;
          this.lastError = 'keepalive ping not answered';
          c.s.destroy(new Error(`keepalive ping not answered in ${ms} ms`));
        });
      }, ms).unref();
    };
    const sent = c.s.ping(() => {
      acked = true;
      c.pinging = false;
      c.heardAt = Date.now();
    });
    if (!sent) return;
    c.pinging = true;
    wait(this.o.keepaliveTimeoutMs);
  }

  close(): void {
    this.closed = true;
    const c = this.conn;
    this.conn = undefined;
    if (c) {
      clearInterval(c.timer);
      c.s.destroy();
    }
  }
}

const COMPRESSED = Buffer.alloc(0);

/**
 * Splits a stream's bytes into gRPC messages. Chunks are kept as they come and joined once per
 * message, so a large answer (a whole-resource list) is copied once, not once per chunk.
 */
class FrameReader {
  private chunks: Buffer[] = [];
  private have = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.have += chunk.length;
  }

  /** The next whole message, COMPRESSED for a compressed one, or undefined until more bytes come. */
  next(): Buffer | undefined {
    if (this.have < 5) return undefined;
    let head = this.chunks[0]!;
    if (head.length < 5) head = this.join();
    const len = head.readUInt32BE(1);
    if (this.have < 5 + len) return undefined;
    if (head.length < 5 + len) head = this.join();
    const flag = head[0];
    const msg = head.subarray(5, 5 + len);
    const rest = head.subarray(5 + len);
    this.chunks.shift();
    if (rest.length > 0) this.chunks.unshift(rest);
    this.have -= 5 + len;
    return flag === 0 ? msg : COMPRESSED;
  }

  private join(): Buffer {
    const all = Buffer.concat(this.chunks, this.have);
    this.chunks = [all];
    return all;
  }
}

function decodeMessage(m: string): string {
  try {
    return decodeURIComponent(m);
  } catch {
    return m;
  }
}

/** A streaming call: 'data' (one message, no prefix), 'error' (GrpcError), 'end' (status OK). */
export class GrpcStream extends EventEmitter {
  req: http2.ClientHttp2Stream | undefined;
  canceled = false;

  write(frame: Buffer): void {
    if (this.req && !this.req.closed && this.req.writable) this.req.write(frame);
  }

  cancel(): void {
    this.canceled = true;
    if (this.req && !this.req.closed) this.req.close(http2.constants.NGHTTP2_CANCEL);
  }
}
