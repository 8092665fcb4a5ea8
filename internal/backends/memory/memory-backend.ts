import { realClock, type Clock } from '../../util/index.js';
import {
  StorageError,
  WatchHub,
  guardFailed,
  resolveReadRevision,
  type Backend,
  type BackendStatus,
  type GetResult,
  type ListOptions,
  type ListResult,
  type WatchBatch,
  type WatchOptions,
  type WriteGuard,
  type WriteOptions,
  type WriteResult,
} from '../../storage/index.js';
import { CompactionPolicy, type CompactionPolicyOptions } from '../shared/compaction-policy.js';
import { MemoryStore, type WriteOutcome } from './memory-store.js';

export interface MemoryBackendOptions {
  /** Drives lease expiry; tests pass a FakeClock. */
  clock?: Clock;
  /** Ring size of the watch hub; older watch starts are served from the full in-memory history. */
  ringMaxEvents?: number;
  /** Per-watcher queue bound (events) before a slow watcher is cut with Compacted. */
  watcherMaxEvents?: number;
  /**
   * Periodic compaction (same policy as sqlite). Off by default so tests see every revision; a
   * long-running server on the memory store should turn it on, or history grows without bound.
   */
  compaction?: CompactionPolicyOptions;
}

/**
 * The reference backend: everything in memory, every write applied at once in call order. Other
 * backends must behave the same (storage/testing's conformance suite runs against all of them).
 */
export function createMemoryBackend(opts: MemoryBackendOptions = {}): Backend & { status: BackendStatus } {
  return new MemoryBackend(opts);
}

class MemoryBackend implements Backend {
  private readonly store = new MemoryStore();
  private readonly hub: WatchHub;
  private readonly clock: Clock;
  private readonly leases = new Map<number, () => void>();
  private nextLeaseId = 1;
  private closed = false;
  private readonly policy: CompactionPolicy | undefined;
  readonly status: BackendStatus;

  constructor(opts: MemoryBackendOptions) {
    this.clock = opts.clock ?? realClock;
    this.hub = new WatchHub({
      revision: 0,
      compactRevision: 0,
      readHistory: (prefix, after, until, limit) => this.store.history(prefix, after, until, limit),
      ringMaxEvents: opts.ringMaxEvents ?? 1000,
      watcherMaxEvents: opts.watcherMaxEvents,
      clock: this.clock,
    });
    this.status = {
      name: 'memory',
      ready: () => !this.closed,
      stats: () => ({ revision: this.store.revision, compactRevision: this.store.compactRevision, leases: this.leases.size, ...this.hub.stats() }),
    };
    if (opts.compaction) {
      const window = () => ({ revision: this.store.revision, compactRevision: this.store.compactRevision });
      this.policy = new CompactionPolicy(this.clock, window, (rev) => this.compact(rev), opts.compaction);
      this.policy.start();
    }
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<GetResult> {
    this.checkOpen();
    const revision = resolveReadRevision(opts.revision, this.store.revision, this.store.compactRevision);
    const kv = this.store.at(key, revision);
    return kv ? { revision, kv } : { revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = resolveReadRevision(opts.revision, this.store.revision, this.store.compactRevision);
    const all = this.store.range(prefix, opts.startKey ?? '', revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : all.length;
    if (opts.countOnly) return { revision, kvs: [], more: false, count: all.length };
    return { revision, kvs: all.slice(0, limit), more: all.length > limit, count: all.length };
  }

  async create(key: string, value: Uint8Array, opts: { lease?: number } & WriteOptions = {}): Promise<WriteResult> {
    this.checkOpen();
    this.checkGuard(opts.guard);
    const out = this.store.create(key, value, opts.lease ?? 0);
    if (!out.ok) throw new StorageError('KeyExists', `key already exists: ${key}`, { key, currentRevision: out.revision });
    return this.published(out);
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: { lease?: number } & WriteOptions = {}): Promise<WriteResult> {
    this.checkOpen();
    this.checkGuard(opts.guard);
    return this.published(this.store.update(key, value, expectedModRevision, opts.lease ?? 0));
  }

  async delete(key: string, opts: { expectedModRevision?: number } & WriteOptions = {}): Promise<WriteResult> {
    this.checkOpen();
    this.checkGuard(opts.guard);
    return this.published(this.store.delete(key, opts.expectedModRevision));
  }

  /** The guard is compared in the same synchronous step as the write, so nothing can slip between. */
  private checkGuard(guard: WriteGuard | undefined): void {
    if (!guard) return;
    const actual = this.store.latest(guard.key)?.modRevision ?? 0;
    if (actual !== guard.modRevision) throw guardFailed(guard, actual);
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchBatch> {
    return this.hub.watch(prefix, opts);
  }

  async grantLease(ttlSeconds: number): Promise<number> {
    this.checkOpen();
    const id = this.nextLeaseId++;
    // Expiry deletes the attached keys one by one, each a normal delete with its own revision and event.
    const cancel = this.clock.setTimeout(() => this.expire(id), Math.max(1, ttlSeconds) * 1000);
    this.leases.set(id, cancel);
    return id;
  }

  async currentRevision(): Promise<{ revision: number; compactRevision: number }> {
    return { revision: this.store.revision, compactRevision: this.store.compactRevision };
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.store.revision) resolveReadRevision(revision, this.store.revision, 0);
    this.store.compact(revision);
    this.hub.setCompactRevision(this.store.compactRevision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.policy?.stop();
    for (const cancel of this.leases.values()) cancel();
    this.leases.clear();
    this.hub.close();
  }

  private expire(id: number): void {
    if (!this.leases.delete(id) || this.closed) return;
    for (const key of this.store.keysWithLease(id)) this.published(this.store.delete(key, undefined));
  }

  private published(out: WriteOutcome): WriteResult {
    if (!out.ok) return out.kv ? { revision: out.revision, succeeded: false, kv: out.kv } : { revision: out.revision, succeeded: false };
    this.hub.publish([out.event], out.revision);
    return { revision: out.revision, succeeded: true, kv: out.kv };
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('Unavailable', 'memory backend is closed');
  }
}
