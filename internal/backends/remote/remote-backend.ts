import {
  StorageError,
  type Backend,
  type GetResult,
  type ListOptions,
  type ListResult,
  type ReadOptions,
  type WatchBatch,
  type WatchOptions,
  type WriteOptions,
  type WriteResult,
} from '../../storage/index.js';
import type { RpcChannel } from './channel.js';
import { b64, batchIn, errorIn, kvIn, kvInOpt, type AdmitRequest, type Reply, type Request, type WireBatch, type WireKv } from './protocol.js';

export interface RemoteBackendOptions {
  /**
   * Opens a channel to a member (a voter or standby). Called again after a loss with a growing
   * attempt number, so the caller can rotate through the members it knows.
   */
  connect(attempt: number): Promise<RpcChannel>;
  /** Calls and watches wait this long for some member before failing with Unavailable. Default 10000. */
  reconnectTimeoutMs?: number;
  /** A call without a reply in this time fails with Timeout. Default 30000. */
  requestTimeoutMs?: number;
  /** A watch whose consumer leaves more than this many events unread ends with Compacted. Default 10000. */
  watcherMaxEvents?: number;
  onConnect?(attempt: number): void;
  onLost?(err?: Error): void;
}

/** How often a read is sent again after its connection was lost before it fails with Unavailable. */
const MAX_LOST_RETRIES = 4;

type Body = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Pending = { settle(r: Reply): void; lost(): void };
type StreamItem = Reply | { lost: true } | { abort: true } | { overflow: true };

interface Conn {
  ch: RpcChannel;
  lost: boolean;
  pending: Map<number, Pending>;
  streams: Map<number, (it: StreamItem) => void>;
}

/**
 * A Backend with no data of its own: every call goes to a member's backend service (remote-server.ts)
 * over one channel, so a spare serves the full API without replicating. Reads run the member's
 * linearizable barrier there; writes go through its Raft proposals. When the member goes away:
 * - reads (get, list, currentRevision), lease grants and compactions are retried on the next member;
 * - a write in flight fails with Timeout (it may or may not have been applied, as when a leader dies);
 * - watches resume on the next member strictly after the last revision they delivered (every batch
 *   carries whole revisions), so a consumer sees no gap and no duplicate; if no member answers within
 *   reconnectTimeoutMs the watch ends with Unavailable and the consumer relists.
 */
export class RemoteBackend implements Backend {
  private conn: Promise<Conn> | undefined;
  private connected: Conn | undefined;
  private attempt = 0;
  private nextId = 1;
  private closed = false;
  private readonly live = new Set<Conn>();
  private readonly reconnectMs: number;
  private readonly requestMs: number;
  private readonly watcherMax: number;

  constructor(private readonly opts: RemoteBackendOptions) {
    this.reconnectMs = opts.reconnectTimeoutMs ?? 10_000;
    this.requestMs = opts.requestTimeoutMs ?? 30_000;
    this.watcherMax = opts.watcherMaxEvents ?? 10_000;
  }

  async get(key: string, opts?: ReadOptions): Promise<GetResult> {
    const r = await this.request<{ revision: number; kv?: WireKv }>({ m: 'get', key, opts }, true);
    return { revision: r.revision, kv: kvInOpt(r.kv) };
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const r = await this.request<Omit<ListResult, 'kvs'> & { kvs: WireKv[] }>({ m: 'list', prefix, opts }, true);
    return { ...r, kvs: r.kvs.map(kvIn) };
  }

  create(key: string, value: Uint8Array, opts?: { lease?: number } & WriteOptions): Promise<WriteResult> {
    return this.write({ m: 'create', key, value: b64(value), lease: opts?.lease, guard: opts?.guard });
  }

  update(key: string, value: Uint8Array, expectedModRevision: number, opts?: { lease?: number } & WriteOptions): Promise<WriteResult> {
    return this.write({ m: 'update', key, value: b64(value), expected: expectedModRevision, lease: opts?.lease, guard: opts?.guard });
  }

  delete(key: string, opts?: { expectedModRevision?: number } & WriteOptions): Promise<WriteResult> {
    return this.write({ m: 'delete', key, expected: opts?.expectedModRevision, guard: opts?.guard });
  }

  grantLease(ttlSeconds: number): Promise<number> {
    // A grant repeated after a lost reply leaves an unused lease behind, which expires on its own.
    return this.request<number>({ m: 'grantLease', ttl: ttlSeconds }, true);
  }

  currentRevision(): Promise<{ revision: number; compactRevision: number }> {
    return this.request({ m: 'currentRevision' }, true);
  }

  async compact(revision: number): Promise<void> {
    await this.request({ m: 'compact', revision }, true);
  }

  /** The member's answer to 'cluster' (its committed membership; see serveBackend's describe). */
  cluster<T>(): Promise<T> {
    return this.request<T>({ m: 'cluster' }, true);
  }

  /** Asks the member to remove this (spare) node from the membership; not retried (its outcome is reported). */
  leave<T>(): Promise<T> {
    return this.request<T>({ m: 'leave' }, false);
  }

  /** Asks the member to add a new node (a join this node signed); not retried (its outcome is reported). */
  admit<T>(req: AdmitRequest): Promise<T> {
    return this.request<T>({ m: 'admit', ...req }, false);
  }

  /**
   * The watch is sent at once (not on the first next()), so it is in place before any write the
   * caller issues after this call, and a consumer that never reads is cut like any slow watcher.
   */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchBatch> {
    const gen = this.stream(prefix, opts);
    let first: Promise<IteratorResult<WatchBatch>> | undefined = gen.next();
    first.catch(() => undefined); // surfaced to the consumer by its first next()
    const it: AsyncIterator<WatchBatch> = {
      next: () => {
        const f = first;
        first = undefined;
        return f ?? gen.next();
      },
      return: async (v?: unknown) => {
        first = undefined;
        return gen.return(v as undefined);
      },
    };
    return { [Symbol.asyncIterator]: () => it };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.live]) {
      c.ch.close();
      this.lose(c);
    }
  }

  // ---- calls ----------------------------------------------------------------------------------------

  private async write(body: Body): Promise<WriteResult> {
    const r = await this.request<Omit<WriteResult, 'kv'> & { kv?: WireKv }>(body, false);
    return { ...r, kv: kvInOpt(r.kv) };
  }

  /**
   * Drops the current member (its calls in flight are retried or fail as on a lost connection, its
   * watches resume): the next call dials the next attempt. For a member that answers but cannot serve
   * (it lost its leader for good), which a connection-level failure would never reveal.
   */
  nextMember(): void {
    const c = this.connected;
    if (!c) return;
    c.ch.close();
    this.lose(c);
  }

  private async request<T>(body: Body, retryable: boolean, lostBefore = 0): Promise<T> {
    const conn = await this.current();
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        conn.pending.delete(id);
        // A read changed nothing (503, safe to retry); a write's outcome is unknown (504).
        reject(
          retryable
            ? new StorageError('Unavailable', `remote ${body.m}: no reply from the member in ${this.requestMs} ms`)
            : new StorageError('Timeout', `remote ${body.m}: no reply from the member in ${this.requestMs} ms; the write may or may not have been applied`),
        );
      }, this.requestMs);
      conn.pending.set(id, {
        settle: (r) => {
          clearTimeout(timer);
          if ('err' in r) reject(errorIn(r.err, `remote ${body.m}`));
          else resolve((r as { ok: T }).ok);
        },
        lost: () => {
          clearTimeout(timer);
          // A read is retried on the next member, a few times: a member that accepts and at once
          // closes (it has just become a spare) must not make this a loop without end.
          if (retryable && !this.closed && lostBefore < MAX_LOST_RETRIES) this.request<T>(body, true, lostBefore + 1).then(resolve, reject);
          else if (retryable) reject(new StorageError('Unavailable', `remote ${body.m}: the connection to the member was lost ${lostBefore + 1} times`));
          // Sent and not answered: the outcome is unknown, so Timeout (504, not retried blindly),
          // as raftsqlite reports a write lost with its leader (raft-errors.ts).
          else reject(new StorageError('Timeout', `remote ${body.m}: the connection to the member was lost; the write may or may not have been applied`));
        },
      });
      conn.ch.send(JSON.stringify({ ...body, id }));
    });
  }

  /** The live connection, or a new one (retrying members until reconnectTimeoutMs). */
  private async current(): Promise<Conn> {
    for (;;) {
      if (this.closed) throw new StorageError('Unavailable', 'remote backend is closed');
      if (this.connected && !this.connected.lost) return this.connected;
      this.conn ??= this.connect().then(
        (c) => {
          this.conn = undefined;
          this.connected = c;
          return c;
        },
        (err: unknown) => {
          this.conn = undefined;
          throw err;
        },
      );
      const c = await this.conn;
      if (!c.lost) return c;
    }
  }

  private async connect(): Promise<Conn> {
    const deadline = Date.now() + this.reconnectMs;
    let delay = 50;
    let last: unknown;
    while (!this.closed) {
      const attempt = this.attempt++;
      try {
        const ch = await this.opts.connect(attempt);
        const conn: Conn = { ch, lost: false, pending: new Map(), streams: new Map() };
        ch.onMessage((text) => this.onReply(conn, text));
        ch.onClose(() => this.lose(conn));
        if (this.closed) ch.close();
        this.live.add(conn);
        this.opts.onConnect?.(attempt);
        return conn;
      } catch (err) {
        last = err;
      }
      if (Date.now() + delay > deadline) break;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
    throw new StorageError('Unavailable', `no member reachable for the remote backend: ${String((last as Error | undefined)?.message ?? 'closed')}`, {}, { cause: last });
  }

  private onReply(conn: Conn, text: string): void {
    let r: Reply;
    try {
      r = JSON.parse(text) as Reply;
    } catch {
      return conn.ch.close();
    }
    const p = conn.pending.get(r.id);
    if (p) {
      conn.pending.delete(r.id);
      return p.settle(r);
    }
    conn.streams.get(r.id)?.(r);
  }

  private lose(conn: Conn): void {
    if (conn.lost) return;
    conn.lost = true;
    this.live.delete(conn);
    if (this.connected === conn) this.connected = undefined;
    this.opts.onLost?.();
    const pending = [...conn.pending.values()];
    conn.pending.clear();
    for (const p of pending) p.lost();
    for (const s of conn.streams.values()) s({ lost: true });
  }

  // ---- watches ----------------------------------------------------------------------------------------

  private async *stream(prefix: string, opts: WatchOptions): AsyncGenerator<WatchBatch> {
    let after = opts.afterRevision;
    while (!opts.signal.aborted && !this.closed) {
      const conn = await this.current();
      const id = this.nextId++;
      const q = new StreamQueue(this.watcherMax);
      const onAbort = () => q.push({ abort: true });
      opts.signal.addEventListener('abort', onAbort, { once: true });
      conn.streams.set(id, (it) => q.push(it));
      let open = true;
      conn.ch.send(JSON.stringify({ m: 'watch', id, prefix, after, progressMs: opts.progressIntervalMs }));
      try {
        for (;;) {
          const it = await q.next();
          if ('abort' in it || this.closed) return;
          if ('lost' in it) {
            open = false;
            break; // resume on the next member from `after`
          }
          if ('started' in it) {
            after = it.started;
          } else if ('batch' in it) {
            after = it.batch.revision;
            yield batchIn(it.batch as WireBatch);
          } else if ('overflow' in it) {
            throw new StorageError('Compacted', 'remote watcher fell too far behind; relist');
          } else if ('err' in it) {
            open = false;
            throw errorIn(it.err, 'remote watch');
          } else if ('end' in it) {
            open = false;
            throw new StorageError('Unavailable', 'the member ended the watch; relist');
          }
        }
      } finally {
        opts.signal.removeEventListener('abort', onAbort);
        conn.streams.delete(id);
        if (open && !conn.lost) conn.ch.send(JSON.stringify({ m: 'cancel', id }));
      }
    }
  }
}

/** The items of one watch waiting for its consumer; overflowing it replaces them with one marker. */
class StreamQueue {
  private items: StreamItem[] = [];
  private events = 0;
  private overflowed = false;
  private wake: (() => void) | undefined;

  constructor(private readonly limit: number) {}

  push(it: StreamItem): void {
    if (this.overflowed && !('abort' in it)) return;
    if ('batch' in it) {
      this.events += Math.max(1, it.batch.events.length);
      if (this.events > this.limit) {
        this.overflowed = true;
        this.items = [{ overflow: true }];
        return this.poke();
      }
    }
    this.items.push(it);
    this.poke();
  }

  async next(): Promise<StreamItem> {
    while (this.items.length === 0) await new Promise<void>((r) => (this.wake = r));
    const it = this.items.shift()!;
    if ('batch' in it) this.events -= Math.max(1, it.batch.events.length);
    return it;
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
