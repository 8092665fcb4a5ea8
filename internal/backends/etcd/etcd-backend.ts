import {
  type Backend,
  type BackendStatus,
  type GetResult,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type ReadOptions,
  StorageError,
  guardFailed,
  type WatchBatch,
  type WatchOptions,
  type WriteOptions,
  type WriteResult,
} from '../../storage/index.js';
import { BatchQueue } from './batch-queue.js';
import { grantLease } from './leases.js';
import { HintCache } from './hint-cache.js';
import { NextRound } from './next-round.js';
import { EtcdCompactor } from './compactor.js';
import { type CasOutcome, type CasWrite, currentOf, runCasWrite } from './cas-write.js';
import { EtcdConnection, type EtcdConnectionOptions } from './connection.js';
import { Keyspace, prefixEnd } from './keyspace.js';
import type { PbRangeResponse, PbTxnResponse } from './proto.js';
import { WatchMux } from './watch-mux.js';

export interface EtcdBackendOptions extends EtcdConnectionOptions {
  /** Where "/registry" lives in etcd (kube-apiserver's --etcd-prefix). Default "/registry". */
  prefix?: string;
  /** Events a watch consumer may leave unread before it is cut off with Compacted. Default 10000. */
  watcherQueueLimit?: number;
  /**
   * Periodic compaction as kube-apiserver does it: every interval the kplane holding the compactor
   * lease compacts to the revision of the interval before. Default every 5 minutes; 0 turns it off.
   */
  compactionIntervalMs?: number;
  /** This node's name, recorded as the compactor lease's holder. */
  nodeName?: string;
  log?: (msg: string, err?: unknown) => void;
}

export type EtcdBackend = Backend &
  BackendStatus & {
    /** Each configured endpoint and whether it answers now (`kubectl get componentstatuses`). */
    members(): Array<{ url: string; healthy: boolean }>;
  };

/** How long a write etcd certainly did not take (no leader: an election) is tried again before 503. */
const UNAVAILABLE_WAIT_MS = 3000;
/** Pause between tries of a write while etcd has no leader or its outcome is being resolved. */
const RETRY_DELAY_MS = 200;

/** The key kube-apiserver keeps the last compacted revision in; kplane reads and writes it alike. */
export const COMPACT_REV_KEY = 'compact_rev_key';

/**
 * The Backend on an etcd v3 cluster. Each compare-and-swap is one Txn whose else branch reads the
 * current key, reads go to any member (linearizable unless asked otherwise), and watches share one
 * stream (watch-mux.ts). Resolves once the first health round is done (an unreachable etcd still
 * opens: the API then answers 503 and /readyz fails its etcd check until a member answers).
 */
export async function createEtcdBackend(o: EtcdBackendOptions): Promise<EtcdBackend> {
  const conn = new EtcdConnection(o);
  await conn.start();
  return new EtcdStore(conn, o);
}

/** The Backend on a connection made elsewhere (tests give a fake one). */
export function etcdBackendOn(conn: EtcdConnection, o: EtcdBackendOptions): EtcdBackend {
  return new EtcdStore(conn, o);
}

class EtcdStore implements Backend, BackendStatus {
  readonly name = 'etcd';
  private readonly ks: Keyspace;
  private readonly mux: WatchMux;
  private readonly compactor: EtcdCompactor | undefined;
  private compacted = 0;
  private closed = false;
  private readonly hints = new HintCache();
  /** Concurrent consistent reads share one Range for the current revision (next-round.ts). */
  private readonly revisionRound = new NextRound(() => this.range(Buffer.from(COMPACT_REV_KEY), {}, 'read revision'));

  constructor(
    private readonly conn: EtcdConnection,
    private readonly o: EtcdBackendOptions,
  ) {
    const log = o.log ?? (() => {});
    this.ks = new Keyspace(o.prefix);
    this.mux = new WatchMux(conn, this.ks, log);
    const every = o.compactionIntervalMs ?? 5 * 60_000;
    if (every > 0) {
      this.compactor = new EtcdCompactor(conn, {
        intervalMs: every,
        holderKey: this.ks.toEtcd('/registry/kplane/compactor'),
        holder: o.nodeName ?? 'kplane',
        compactRevKey: Buffer.from(COMPACT_REV_KEY),
        onCompacted: (rev) => (this.compacted = Math.max(this.compacted, rev)),
        log,
      });
      this.compactor.start();
    }
  }

  private range(key: Buffer, extra: object, what: string): Promise<PbRangeResponse> {
    return this.conn.call<PbRangeResponse>('KV', 'Range', { key, ...extra }, what, true).catch((err) => this.noteCompacted(err, extra));
  }

  private noteCompacted(err: unknown, extra: { revision?: number }): never {
    if (err instanceof StorageError && err.code === 'Compacted' && extra.revision) {
      throw new StorageError('Compacted', err.message, { revision: extra.revision, compactRevision: this.compacted }, { cause: err });
    }
    throw err;
  }

  private kv(kv: PbRangeResponse['kvs'][number] | undefined): KeyValue | undefined {
    return kv ? this.mux.kv(kv) : undefined;
  }

  async get(key: string, opts: ReadOptions = {}): Promise<GetResult> {
    const latest = !opts.revision;
    const hint = latest && opts.serializable ? this.hints.get(key) : undefined;
    if (hint) return { revision: this.conn.revision, kv: hint };
    const r = await this.range(this.ks.toEtcd(key), { revision: opts.revision ?? 0, serializable: !!opts.serializable }, 'get');
    const kv = this.kv(r.kvs[0]);
    if (latest) this.hints.set(key, kv);
    return { revision: opts.revision || r.header.revision, kv };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const from = this.ks.toEtcd(prefix);
    const start = opts.startKey !== undefined ? this.ks.toEtcd(opts.startKey) : from;
    const r = await this.range(Buffer.compare(start, from) > 0 ? start : from, {
      rangeEnd: prefixEnd(from),
      limit: opts.limit ?? 0,
      revision: opts.revision ?? 0,
      serializable: !!opts.serializable,
      countOnly: !!opts.countOnly,
    }, 'list');
    return { revision: opts.revision || r.header.revision, kvs: r.kvs.map((kv) => this.mux.kv(kv)), more: r.more, count: r.count };
  }

  /**
   * One compare-and-swap Txn (cas-write.ts resolves a lost answer). A fenced write
   * (WriteOptions.guard) has one more compare, on the guard key's modRevision, and a read of that
   * key last in the failure branch to tell which compare failed.
   */
  private async write(key: string, w: CasWrite, guard: WriteOptions['guard'], req: { compare: object[]; success: object[]; failure: object[] }, what: string): Promise<CasOutcome> {
    const k = this.ks.toEtcd(key);
    const g = guard && this.ks.toEtcd(guard.key);
    const full = g ? { compare: [...req.compare, { key: g, target: 'MOD', result: 'EQUAL', modRevision: guard.modRevision }], success: req.success, failure: [...req.failure, { requestRange: { key: g, keysOnly: true } }] } : req;
    const attemptMs = this.conn.writeAttemptMs;
    let out: CasOutcome;
    try {
      out = await runCasWrite(w, {
        send: (deadline) => this.conn.call<PbTxnResponse>('KV', 'Txn', full, what, false, { deadline, attemptMs }),
        read: async (deadline, revision) => {
          const r = await this.conn.call<PbRangeResponse>('KV', 'Range', { key: k, revision: revision ?? 0 }, `${what}: read back`, true, { deadline, attemptMs });
          return { revision: r.header.revision, kv: r.kvs[0] };
        },
        now: Date.now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      }, { deadline: Date.now() + this.conn.callMs, unavailableWaitMs: UNAVAILABLE_WAIT_MS, retryDelayMs: RETRY_DELAY_MS });
    } catch (err) {
      this.hints.set(key, undefined);
      throw err;
    }
    if (guard && out.kind === 'txn' && !out.r.succeeded) {
      const actual = this.kv(out.r.responses[out.r.responses.length - 1]?.responseRange?.kvs[0])?.modRevision ?? 0;
      if (actual !== guard.modRevision) throw guardFailed(guard, actual);
    }
    return out;
  }

  async create(key: string, value: Uint8Array, opts: { lease?: number } & WriteOptions = {}): Promise<WriteResult> {
    const k = this.ks.toEtcd(key);
    const out = await this.write(key, { op: 'create', value }, opts.guard, {
      compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: 0 }],
      success: [{ requestPut: { key: k, value, lease: opts.lease ?? 0 } }],
      failure: [{ requestRange: { key: k } }],
    }, 'create');
    if (out.kind === 'exists' || (out.kind === 'txn' && !out.r.succeeded)) {
      const currentRevision = out.kind === 'txn' ? out.r.header.revision : out.revision;
      throw new StorageError('KeyExists', `key exists: ${key}`, { key, currentRevision });
    }
    const rev = out.kind === 'txn' ? out.r.header.revision : out.revision;
    const kv = { key, value, createRevision: rev, modRevision: rev, version: 1, lease: opts.lease ?? 0 };
    this.hints.set(key, kv);
    return { revision: rev, succeeded: true, kv };
  }

  /**
   * The key's state this kplane last saw, if it is the one a compare on `modRevision` expects: a
   * mod_revision names one state of one key, so when the compare holds, this is exactly what etcd
   * had. An update then needs no read after its put (its new metadata follows from this state) and
   * a delete no prev_kv (the deleted value is this one): less work for etcd, fewer bytes back.
   */
  private known(key: string, modRevision: number | undefined): KeyValue | undefined {
    const kv = modRevision === undefined ? undefined : this.hints.get(key);
    return kv && kv.modRevision === modRevision ? kv : undefined;
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: { lease?: number } & WriteOptions = {}): Promise<WriteResult> {
    const k = this.ks.toEtcd(key);
    const lease = opts.lease ?? 0;
    const known = this.known(key, expectedModRevision);
    const put = { requestPut: { key: k, value, lease } };
    const out = await this.write(key, { op: 'update', value, expectedModRevision }, opts.guard, {
      compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: expectedModRevision }, { key: k, target: 'VERSION', result: 'GREATER', version: 0 }],
      // The put's response has no metadata; unless the prior state is known, a keys-only read after it in the same Txn has.
      success: known ? [put] : [put, { requestRange: { key: k, keysOnly: true } }],
      failure: [{ requestRange: { key: k } }],
    }, 'update');
    if (out.kind !== 'txn') {
      const kv = { ...this.kv(out.kv)!, value };
      this.hints.set(key, kv);
      return { revision: out.revision, succeeded: true, kv };
    }
    const r = out.r;
    let kv: KeyValue | undefined;
    if (!r.succeeded) kv = this.kv(currentOf(r));
    else if (known) kv = { key, value, createRevision: known.createRevision, modRevision: r.header.revision, version: known.version + 1, lease };
    else kv = { ...this.kv(r.responses[1]?.responseRange?.kvs[0])!, value };
    this.hints.set(key, kv);
    return { revision: r.header.revision, succeeded: r.succeeded, kv };
  }

  async delete(key: string, opts: { expectedModRevision?: number } & WriteOptions = {}): Promise<WriteResult> {
    const k = this.ks.toEtcd(key);
    const exists = { key: k, target: 'VERSION', result: 'GREATER', version: 0 };
    const expected = opts.expectedModRevision;
    const known = this.known(key, expected);
    const out = await this.write(key, { op: 'delete', expectedModRevision: expected }, opts.guard, {
      compare: expected === undefined ? [exists] : [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: expected }, exists],
      success: [{ requestDeleteRange: { key: k, prevKv: !known } }],
      failure: [{ requestRange: { key: k } }],
    }, 'delete');
    if (out.kind !== 'txn') {
      // Applied by an attempt whose answer was lost: the deleted value is the caller's to know.
      this.hints.set(key, undefined);
      return { revision: out.revision, succeeded: true };
    }
    const r = out.r;
    const current = r.succeeded ? undefined : this.kv(currentOf(r));
    this.hints.set(key, current);
    if (!r.succeeded) return { revision: r.header.revision, succeeded: false, kv: current };
    return { revision: r.header.revision, succeeded: true, kv: known ?? this.kv(r.responses[0]?.responseDeleteRange?.prevKvs[0]) };
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchBatch> {
    let id = 0;
    const q = new BatchQueue(this.o.watcherQueueLimit ?? 10_000, () => this.mux.remove(id));
    if (opts.signal.aborted || this.closed) {
      q.end();
      return q;
    }
    // etcd still serves a watch from its compaction revision itself (the change at that revision,
    // without its previous value); below kplane's compaction point means at or below it.
    if (opts.afterRevision > 0 && opts.afterRevision < this.compacted) {
      q.fail(new StorageError('Compacted', `etcd: watch from revision ${opts.afterRevision + 1}: compacted through ${this.compacted}`, { compactRevision: this.compacted }));
      return q;
    }
    const key = this.ks.toEtcd(prefix);
    id = this.mux.add({
      key,
      rangeEnd: prefixEnd(key),
      // "Now" is the newest revision this client has seen (every answer and the health probes carry
      // it): etcd registers the watch a round trip later, and changes made meanwhile belong to it.
      delivered: opts.afterRevision > 0 ? opts.afterRevision : this.conn.revision || -1,
      progressIntervalMs: opts.progressIntervalMs,
      progressRepeatMs: opts.progressRepeatMs ?? opts.progressIntervalMs ?? 0,
      push: (b) => q.push(b),
      fail: (err) => {
        opts.signal.removeEventListener('abort', stop);
        q.fail(err);
      },
    });
    const stop = () => {
      this.mux.remove(id);
      q.end();
    };
    opts.signal.addEventListener('abort', stop, { once: true });
    return q;
  }

  async grantLease(ttlSeconds: number): Promise<number> {
    return grantLease(this.conn, ttlSeconds, 'grant lease');
  }

  async currentRevision(): Promise<{ revision: number; compactRevision: number }> {
    // Whoever asks for the current revision is about to wait for a watch to reach it (a consistent
    // read from the watch cache): the answer to this progress request tells the watches.
    const known = this.conn.revision;
    this.mux.requestProgressBelow(known);
    const r = await this.revisionRound.ask();
    // A revision this kplane had not seen (another node's writes): the watches may need telling.
    if (r.header.revision > known) this.mux.requestProgressBelow(r.header.revision);
    const recorded = Number(r.kvs[0]?.value.toString() ?? 0);
    if (Number.isSafeInteger(recorded)) this.compacted = Math.max(this.compacted, recorded);
    return { revision: r.header.revision, compactRevision: this.compacted };
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.conn.call('KV', 'Compact', { revision, physical: false }, 'compact', true);
    } catch (err) {
      // Already compacted that far (another kplane, or upstream's apiserver): the goal holds.
      if (!(err instanceof StorageError && err.code === 'Compacted')) throw err;
    }
    this.compacted = Math.max(this.compacted, revision);
  }

  ready(): boolean {
    return !this.closed && this.conn.ready();
  }

  members(): Array<{ url: string; healthy: boolean }> {
    return this.conn.members.map((m) => ({ url: m.url, healthy: !this.closed && m.healthy }));
  }

  stats(): Record<string, number | string> {
    const up = this.conn.members.filter((m) => m.healthy).length;
    return { endpoints: this.conn.members.length, healthyEndpoints: up, version: this.conn.version() ?? 'unknown', compactRevision: this.compacted };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.compactor?.stop();
    this.mux.close();
    this.conn.close();
  }
}
