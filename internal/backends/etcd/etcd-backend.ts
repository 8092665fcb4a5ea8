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
import { EtcdCompactor } from './compactor.js';
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

export type EtcdBackend = Backend & BackendStatus;

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

class EtcdStore implements Backend, BackendStatus {
  readonly name = 'etcd';
  private readonly ks: Keyspace;
  private readonly mux: WatchMux;
  private readonly compactor: EtcdCompactor | undefined;
  private compacted = 0;
  private closed = false;
  private readonly hints = new HintCache();

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

  private txn(req: object, what: string): Promise<PbTxnResponse> {
    return this.conn.call<PbTxnResponse>('KV', 'Txn', req, what, false);
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
   * A fenced write (WriteOptions.guard) is the same Txn with one more compare, on the guard key's
   * modRevision, and a read of that key last in the failure branch to tell which compare failed.
   */
  private async guardedTxn(guard: WriteOptions['guard'], req: { compare: object[]; success: object[]; failure: object[] }, what: string): Promise<PbTxnResponse> {
    if (!guard) return this.txn(req, what);
    const g = this.ks.toEtcd(guard.key);
    const r = await this.txn({ compare: [...req.compare, { key: g, target: 'MOD', result: 'EQUAL', modRevision: guard.modRevision }], success: req.success, failure: [...req.failure, { requestRange: { key: g, keysOnly: true } }] }, what);
    if (!r.succeeded) {
      const actual = this.kv(r.responses[r.responses.length - 1]?.responseRange?.kvs[0])?.modRevision ?? 0;
      if (actual !== guard.modRevision) throw guardFailed(guard, actual);
    }
    return r;
  }

  async create(key: string, value: Uint8Array, opts: { lease?: number } & WriteOptions = {}): Promise<WriteResult> {
    const k = this.ks.toEtcd(key);
    const r = await this.guardedTxn(opts.guard, {
      compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: 0 }],
      success: [{ requestPut: { key: k, value, lease: opts.lease ?? 0 } }],
      failure: [{ requestRange: { key: k } }],
    }, 'create');
    if (!r.succeeded) throw new StorageError('KeyExists', `key exists: ${key}`, { key, currentRevision: r.header.revision });
    const rev = r.header.revision;
    const kv = { key, value, createRevision: rev, modRevision: rev, version: 1, lease: opts.lease ?? 0 };
    this.hints.set(key, kv);
    return { revision: rev, succeeded: true, kv };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: { lease?: number } & WriteOptions = {}): Promise<WriteResult> {
    const k = this.ks.toEtcd(key);
    const r = await this.guardedTxn(opts.guard, {
      compare: [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: expectedModRevision }, { key: k, target: 'VERSION', result: 'GREATER', version: 0 }],
      // The put's response has no metadata; a keys-only read after it in the same Txn has.
      success: [{ requestPut: { key: k, value, lease: opts.lease ?? 0 } }, { requestRange: { key: k, keysOnly: true } }],
      failure: [{ requestRange: { key: k } }],
    }, 'update');
    const kv = r.succeeded ? { ...this.kv(r.responses[1]?.responseRange?.kvs[0])!, value } : this.kv(r.responses[0]?.responseRange?.kvs[0]);
    this.hints.set(key, kv);
    return { revision: r.header.revision, succeeded: r.succeeded, kv };
  }

  async delete(key: string, opts: { expectedModRevision?: number } & WriteOptions = {}): Promise<WriteResult> {
    const k = this.ks.toEtcd(key);
    const exists = { key: k, target: 'VERSION', result: 'GREATER', version: 0 };
    const r = await this.guardedTxn(opts.guard, {
      compare: opts.expectedModRevision === undefined ? [exists] : [{ key: k, target: 'MOD', result: 'EQUAL', modRevision: opts.expectedModRevision }, exists],
      success: [{ requestDeleteRange: { key: k, prevKv: true } }],
      failure: [{ requestRange: { key: k } }],
    }, 'delete');
    const res = r.responses[0];
    const current = r.succeeded ? undefined : this.kv(res?.responseRange?.kvs[0]);
    this.hints.set(key, current);
    if (!r.succeeded) return { revision: r.header.revision, succeeded: false, kv: current };
    return { revision: r.header.revision, succeeded: true, kv: this.kv(res?.responseDeleteRange?.prevKvs[0]) };
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
    this.mux.requestProgress();
    const r = await this.range(Buffer.from(COMPACT_REV_KEY), {}, 'read revision');
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
