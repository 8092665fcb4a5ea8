import {
  StorageError,
  guardFailed,
  resolveReadRevision,
  type Backend,
  type GetResult,
  type ListOptions,
  type ListResult,
  type Op,
  type OpResult,
  type WatchBatch,
  type WatchHub,
  type WatchOptions,
  type WriteOptions,
  type WriteResult,
} from '../../storage/index.js';
import type { Clock } from '../../util/index.js';
import { translateSqliteError } from './errors.js';
import type { SqliteReader } from './reader.js';

export interface OpBackendParts {
  reader: SqliteReader;
  hub: WatchHub;
  /** Submits one op to the write path (group commit, or a Raft proposal) and returns its result. */
  propose: (op: Op) => Promise<OpResult>;
  /** Revision window of the applied state. */
  window: () => { revision: number; compactRevision: number };
  clock: Clock;
  /** First lease id to hand out; ids then count up (unique per proposer). */
  firstLeaseId: number;
  /** Largest value accepted, in bytes (etcd's request limit is 1.5 MiB). */
  maxValueBytes: number;
  onClose: () => Promise<void>;
}

/**
 * Backend over a state machine's write path: reads are local (SqliteReader), writes become Ops
 * proposed to whatever sits in front of the state machine, watches come from the hub that the
 * apply step feeds. The sqlite backend proposes through group commit; raftsqlite through Raft.
 */
export class OpBackend implements Backend {
  private nextLeaseId: number;
  private closed = false;

  constructor(private readonly parts: OpBackendParts) {
    this.nextLeaseId = parts.firstLeaseId;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<GetResult> {
    this.checkOpen();
    return this.read(() => this.parts.reader.get(key, opts.revision));
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    return this.read(() => this.parts.reader.list(prefix, opts));
  }

  async create(key: string, value: Uint8Array, opts: { lease?: number } & WriteOptions = {}): Promise<WriteResult> {
    this.checkValue(key, value);
    const r = await this.write({ op: 'create', key, value, lease: opts.lease ?? 0, ...guarded(opts) });
    if (r.error === 'KeyExists') throw new StorageError('KeyExists', `key already exists: ${key}`, { key, currentRevision: r.result.revision });
    return r.result;
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, opts: { lease?: number } & WriteOptions = {}): Promise<WriteResult> {
    this.checkValue(key, value);
    return (await this.write({ op: 'update', key, value, expectedModRevision, lease: opts.lease ?? 0, ...guarded(opts) })).result;
  }

  async delete(key: string, opts: { expectedModRevision?: number } & WriteOptions = {}): Promise<WriteResult> {
    return (await this.write({ op: 'delete', key, expectedModRevision: opts.expectedModRevision, ...guarded(opts) })).result;
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchBatch> {
    return this.parts.hub.watch(prefix, opts);
  }

  async grantLease(ttlSeconds: number): Promise<number> {
    this.checkOpen();
    const id = this.nextLeaseId++;
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    await this.propose({ op: 'leaseGrant', id, ttlSeconds: ttl, expiresAtMs: this.parts.clock.now() + ttl * 1000 });
    return id;
  }

  async currentRevision(): Promise<{ revision: number; compactRevision: number }> {
    return this.parts.window();
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    const { revision: current, compactRevision } = this.parts.window();
    if (revision > current) resolveReadRevision(revision, current, 0);
    if (revision <= compactRevision) return;
    await this.propose({ op: 'compact', revision });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.parts.onClose();
  }

  private async write(op: Op & { op: 'create' | 'update' | 'delete' }): Promise<Extract<OpResult, { result: unknown }>> {
    const r = await this.propose(op);
    if (!('result' in r)) throw new Error(`write path returned ${r.op} for ${op.op}`);
    if (r.error === 'GuardFailed' && op.guard) throw guardFailed(op.guard, r.guardModRevision ?? 0);
    return r;
  }

  private async propose(op: Op): Promise<OpResult> {
    this.checkOpen();
    try {
      return await this.parts.propose(op);
    } catch (err) {
      throw translateSqliteError(err, `${op.op} failed`);
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateSqliteError(err, 'read failed');
    }
  }

  private checkValue(key: string, value: Uint8Array): void {
    this.checkOpen();
    if (value.byteLength > this.parts.maxValueBytes) {
      throw new StorageError('TooLarge', `value of ${key} is ${value.byteLength} bytes, limit ${this.parts.maxValueBytes}`, { key });
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new StorageError('Unavailable', 'store is closed');
  }
}

/** The guard field of an op, only when there is one (unguarded ops keep their exact shape). */
function guarded(opts: WriteOptions): { guard?: WriteOptions['guard'] } {
  return opts.guard ? { guard: { key: opts.guard.key, modRevision: opts.guard.modRevision } } : {};
}
