import { StorageError, type Op, type OpResult } from '../../storage/index.js';

export interface GroupCommitOptions {
  /** Most ops in one batch (one transaction, one fsync). */
  maxBatchOps?: number;
}

/**
 * Group commit for the single-node store: writes queue up, and all that arrive while the event loop
 * is busy (including while the previous batch's transaction and fsync run, since better-sqlite3 is
 * synchronous) are applied together in the next batch. Each op's CAS succeeds or fails on its own;
 * only a failure of the whole transaction (disk full, I/O error) fails every op of the batch.
 *
 * This is the proposer side only. raftsqlite puts a Raft log in front of the same state machine
 * instead, so this class knows nothing about SQLite.
 */
export class GroupCommit {
  private queue: { op: Op; resolve: (r: OpResult) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private readonly maxBatchOps: number;
  batches = 0;
  ops = 0;

  constructor(
    private readonly applyBatch: (ops: Op[]) => OpResult[],
    opts: GroupCommitOptions = {},
  ) {
    this.maxBatchOps = opts.maxBatchOps ?? 1000;
  }

  submit(op: Op): Promise<OpResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate runs after pending I/O callbacks, so writes that are already on their way join.
        setImmediate(() => this.flush());
      }
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Applies everything queued now (also used by close() to drain). */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatchOps);
      let results: OpResult[];
      try {
        results = this.applyBatch(batch.map((x) => x.op));
      } catch (err) {
        const e = err instanceof StorageError ? err : new StorageError('Unavailable', `write failed: ${String(err)}`, {}, { cause: err });
        for (const x of batch) x.reject(e);
        continue;
      }
      this.batches++;
      this.ops += batch.length;
      batch.forEach((x, i) => x.resolve(results[i]!));
    }
  }
}
