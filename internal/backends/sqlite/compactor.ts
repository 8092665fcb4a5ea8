import type Database from 'better-sqlite3';
import { prepareStatements } from './statements.js';

export interface CompactorOptions {
  /** Revisions cleaned per local transaction. Default 1000. */
  chunkRevisions?: number;
}

/**
 * Deletes the kv_log rows that compaction made unreachable, in chunks of revisions, each chunk its
 * own short transaction with a yield to the event loop in between (a big compaction never stalls
 * requests), then checkpoints the WAL so the file stops growing. Local work on each replica: only
 * compact_rev is replicated state. Progress (compacted_through) survives restarts.
 *
 * A row is unreachable when a later row of the same key at or below compact_rev supersedes it, or
 * it is a delete marker at or below compact_rev. Deleting the `prev_rev` of each row in the chunk,
 * and the chunk's delete markers, removes exactly those, while every row that a later event's
 * prevKv points to (a row superseded only above compact_rev) stays.
 */
export class Compactor {
  private readonly st;
  private readonly chunk: number;
  private active = false;
  private stopped = false;
  /** Resolves when the current run finishes (tests and close() wait on it). */
  idle: Promise<void> = Promise.resolve();
  chunksDone = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly compactRevision: () => number,
    opts: CompactorOptions = {},
  ) {
    this.st = prepareStatements(db);
    this.chunk = opts.chunkRevisions ?? 1000;
  }

  /** Starts cleaning up to the current compact_rev, unless a run is already going. */
  kick(): void {
    if (this.active || this.stopped) return;
    this.active = true;
    this.idle = this.run().finally(() => (this.active = false));
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.idle;
  }

  private async run(): Promise<void> {
    const step = this.db.transaction((lo: number, hi: number) => {
      this.st.compactPrevs.run(lo, hi);
      this.st.compactDeletes.run(lo, hi);
      this.st.setCompactedThrough.run(hi);
    });
    let did = false;
    for (;;) {
      if (this.stopped) return;
      const lo = this.st.meta.get()!.compacted_through;
      const target = this.compactRevision();
      if (lo >= target) break;
      step(lo, Math.min(target, lo + this.chunk));
      this.chunksDone++;
      did = true;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (did && !this.stopped) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}
