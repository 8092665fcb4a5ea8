import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { WatchEvent } from '../api/index.js';
import { batchesOf, type Clock } from '../util/index.js';
import { ConcurrencyLimit } from './limits.js';
import { encodeLine, type WatchEncoder } from './watch-encode.js';
import { bufferBytes, DEFAULT_WATCH_FLUSH, flushDelayMs, flushIntervalMs, type WatchFlushOptions } from './watch-flush.js';

/**
 * Watch streaming over chunked HTTP and websockets. A WatchSession owns the AbortSignal handed to
 * Handler.watch: it is aborted on timeoutSeconds, client disconnect and server shutdown, and the
 * pump stops at once even if the event source is slow to notice.
 */

export interface WatchSession {
  readonly signal: AbortSignal;
  abort(): void;
  /** Releases the watch slot and timer; idempotent. */
  done(): void;
  /** Resolves when done() was called. */
  readonly finished: Promise<void>;
  /** Watches the session's user holds open now, this one included. */
  userWatches(): number;
  /** Watches open now on this server. */
  allWatches(): number;
  /** Whether the event loop is busy now, so that busy users' streams should gather their writes. */
  loopBusy(): boolean;
}

/**
 * Open watches: at most maxWatches in all and maxWatchesPerUser for one user (0 = unlimited), so
 * one client opening watches in a loop cannot take every slot. Each watcher's buffered data is
 * bounded where it queues: the cache watcher ends a watch whose consumer falls behind by its queue
 * limit (the client relists), and the stream waits for the socket to drain before the next event.
 */
/** The longest delay a Node timer takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WatchHub {
  readonly limit: ConcurrencyLimit;
  #active = new Set<WatchSession>();
  #perUser = new Map<string, number>();
  #closing = false;
  /** Whether the event loop is busy now (the server wires its load sampler here); busy when unknown. */
  loopBusy: () => boolean = () => true;

  constructor(
    maxWatches: number,
    private readonly clock: Clock,
    private readonly maxWatchesPerUser = 0,
  ) {
    this.limit = new ConcurrencyLimit(maxWatches);
  }

  get closing(): boolean {
    return this.#closing;
  }

  get active(): number {
    return this.#active.size;
  }

  /** Starts a session ending after timeoutSeconds, or undefined when at a watch limit. */
  start(timeoutSeconds: number, user = ''): WatchSession | undefined {
    if (this.#closing) return undefined;
    const mine = this.#perUser.get(user) ?? 0;
    if (this.maxWatchesPerUser > 0 && mine >= this.maxWatchesPerUser) return undefined;
    const release = this.limit.tryAcquire();
    if (!release) return undefined;
    this.#perUser.set(user, mine + 1);
    const controller = new AbortController();
    let resolveFinished!: () => void;
    const finished = new Promise<void>((r) => (resolveFinished = r));
    // timeoutSeconds is an int64 upstream; Node's timers overflow past 2^31-1 ms (and then fire at once).
    const cancelTimer = this.clock.setTimeout(() => controller.abort(), Math.min(timeoutSeconds * 1000, MAX_TIMER_MS));
    const session: WatchSession = {
      signal: controller.signal,
      abort: () => controller.abort(),
      finished,
      userWatches: () => this.#perUser.get(user) ?? 0,
      allWatches: () => this.#active.size,
      loopBusy: () => this.loopBusy(),
      done: () => {
        if (!this.#active.delete(session)) return;
        cancelTimer();
        release();
        const n = this.#perUser.get(user)! - 1;
        if (n === 0) this.#perUser.delete(user);
        else this.#perUser.set(user, n);
        controller.abort();
        resolveFinished();
      },
    };
    this.#active.add(session);
    return session;
  }

  /** Server shutdown: ends every watch and waits (bounded) for the streams to finish. */
  async closeAll(waitMs = 5000): Promise<void> {
    this.#closing = true;
    const sessions = [...this.#active];
    for (const s of sessions) s.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(sessions.map((s) => s.finished)),
      new Promise<void>((r) => (timer = setTimeout(r, waitMs))),
    ]);
    clearTimeout(timer);
  }
}

/**
 * Pulls events, a batch at a time (util/batched.ts: what queued up since the last pull), until the
 * source ends, an ERROR event was sent (the stream ends after it), or the signal aborts. `write`
 * applies backpressure by returning a promise; the next batch is pulled after it settles.
 */
export async function pumpEvents(
  events: AsyncIterable<WatchEvent>,
  signal: AbortSignal,
  write: (batch: WatchEvent[]) => void | Promise<void>,
): Promise<void> {
  const it = batchesOf(events)[Symbol.asyncIterator]();
  // Each pull waits for whichever comes first, the next batch or the abort. Promise.race against
  // one long-lived abort promise would add a reaction to it per batch for the whole watch, and cost
  // more promises per batch; these handlers are made once and settle the current pull only.
  let settle: ((r: IteratorResult<WatchEvent[]> | undefined) => void) | undefined;
  let fail: ((err: unknown) => void) | undefined;
  const onAbort = () => settle?.(undefined);
  const onNext = (r: IteratorResult<WatchEvent[]>) => settle?.(r);
  const onError = (err: unknown) => fail?.(err);
  const pull = (resolve: typeof settle & {}, reject: typeof fail & {}) => {
    settle = resolve;
    fail = reject;
    it.next().then(onNext, onError);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal.aborted) {
      const r = await new Promise(pull);
      if (r === undefined || r.done) break;
      const error = r.value.findIndex((ev) => ev.type === 'ERROR');
      const batch = error < 0 ? r.value : r.value.slice(0, error + 1);
      if (batch.length > 0) {
        const pending = write(batch);
        if (pending) await pending;
      }
      if (error >= 0) break;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // A pull still pending after the abort settles nothing, and its rejection is handled by onError.
    settle = undefined;
    fail = undefined;
    it.return?.()?.catch(() => undefined);
  }
}

/** Resolves after ms, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Writes one piece and resolves once the socket took it (its write callback), or the stream ends.
 * A TLS socket reports a write done once it is encrypted, and keeps what it encrypted in a buffer
 * of its own that grows to the largest burst it was handed and never shrinks (native memory, out
 * of writableLength's sight): a watch that wrote a 1 MiB backlog in one go held ~1 MiB for as long
 * as it stayed open. One piece at a time bounds that to a piece per stream.
 */
function writePiece(res: ServerResponse, piece: Buffer, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    res.write(piece, done);
  });
}

function waitDrain(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The most a watch stream may have written but not yet flushed before it waits for 'drain' (a
 * stream of a user with many watches, or of a server with many, gets less: bufferBytes in
 * watch-flush.ts). The socket's default high-water mark (16 KiB, five or so pods) made a busy server
 * send each watcher that little per turn of its event loop, however fast the client read: at a few
 * hundred pod changes a second the stream fell seconds behind the cache. The cache watcher's queue
 * limits still bound what a stuck client holds.
 */
export const WATCH_WRITE_BUFFER_BYTES = DEFAULT_WATCH_FLUSH.maxBufferBytes;

/** The most a watch stream hands its socket at once (see writePiece): one TLS record's worth. */
export const WATCH_PIECE_BYTES = 16 << 10;

export interface StreamHooks {
  /** The Status for an error thrown by the event source mid-stream (logged by the callee). */
  errorStatus(err: unknown): unknown;
  /** Whether the server is shutting down. */
  closing(): boolean;
}

/**
 * Chunked HTTP watch: headers are flushed before the first event (client-node's informer blocks
 * until they arrive), then one compact JSON event per line.
 */
export async function streamHttpWatch(
  res: ServerResponse,
  session: WatchSession,
  events: AsyncIterable<WatchEvent>,
  encode: WatchEncoder,
  hooks: StreamHooks,
  flush: WatchFlushOptions = DEFAULT_WATCH_FLUSH,
): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  res.on('close', () => session.abort());
  // A batch leaves as few chunks as its bytes allow (one, mostly): writing each line to the response
  // costs four socket writes (chunk size, CRLF, line, CRLF) per event and watcher, even corked.
  // Then the stream takes no new batch before its interval (watch-flush.ts) has passed: meanwhile its
  // events queue where they are cheapest, in the watch cache's watcher (one array push each), and the
  // next batch brings all of them. A quiet stream takes its next event at once.
  const writeLines = async (lines: Buffer[]): Promise<void> => {
    const bound = bufferBytes(session.userWatches(), session.allWatches(), flush);
    let from = 0;
    let bytes = 0;
    for (let i = 0; i < lines.length; i++) {
      bytes += lines[i]!.length;
      if (bytes < WATCH_PIECE_BYTES && i < lines.length - 1) continue;
      const chunk = i === from ? lines[i]! : Buffer.concat(lines.slice(from, i + 1), bytes);
      from = i + 1;
      bytes = 0;
      for (let off = 0; off < chunk.length; off += WATCH_PIECE_BYTES) {
        if (res.destroyed || session.signal.aborted) return;
        await writePiece(res, off === 0 && chunk.length <= WATCH_PIECE_BYTES ? chunk : chunk.subarray(off, off + WATCH_PIECE_BYTES), session.signal);
      }
      // A plain (non-TLS) socket's queue shows in writableLength: over the bound, wait for it.
      if (res.writableLength > bound) await waitDrain(res, session.signal);
    }
  };
  const write = async (batch: WatchEvent[]): Promise<void> => {
    const wroteAt = performance.now();
    await writeLines(batch.map(encode));
    const delay = flushDelayMs(performance.now(), wroteAt, flushIntervalMs(session.userWatches(), flush, session.loopBusy()));
    if (delay > 0 && !session.signal.aborted) await sleep(delay, session.signal);
  };
  try {
    await pumpEvents(events, session.signal, write);
  } catch (err) {
    // Headers are gone: a failure mid-stream becomes an ERROR event, the way upstream reports it.
    await writeLines([encodeLine({ type: 'ERROR', object: hooks.errorStatus(err) })]);
  } finally {
    session.done();
    if (!res.writableEnded && !res.destroyed) {
      // During shutdown the keep-alive connection must not outlive the watch, or close() waits on it.
      if (hooks.closing()) res.once('finish', () => res.socket?.end());
      res.end();
    }
  }
}

/** Websocket watch: one text message per event (the encoded line without its newline); the client's messages are ignored. */
export async function streamWebsocketWatch(
  socket: WebSocket,
  session: WatchSession,
  events: AsyncIterable<WatchEvent>,
  encode: WatchEncoder,
  hooks: StreamHooks,
): Promise<void> {
  socket.on('close', () => session.abort());
  socket.on('error', () => session.abort());
  const send = (line: Buffer) =>
    new Promise<void>((resolve) => {
      if (socket.readyState !== socket.OPEN) return resolve();
      socket.send(line.subarray(0, line.length - 1), { binary: false }, () => resolve());
    });
  // One message per event; the batch's last send is awaited (the socket keeps their order).
  const sendAll = (batch: WatchEvent[]) => {
    let last: Promise<void> | undefined;
    for (const ev of batch) last = send(encode(ev));
    return last;
  };
  try {
    await pumpEvents(events, session.signal, sendAll);
  } catch (err) {
    await send(encodeLine({ type: 'ERROR', object: hooks.errorStatus(err) }));
  } finally {
    session.done();
    if (socket.readyState === socket.OPEN) socket.close(1000);
  }
}
