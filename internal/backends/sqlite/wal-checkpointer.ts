import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointerOptions {
  /** Ask for a checkpoint after this many write transactions. Default 100 (a few hundred WAL pages). */
  everyCommits?: number;
  /**
   * The writer's own automatic checkpoint threshold in WAL pages, kept as the bound on the WAL.
   * Default 4000 (16 MiB of 4 KiB pages).
   */
  writerPages?: number;
  /** Called once if the worker fails; automatic checkpoints are back on in the writer by then. */
  onError?: (err: Error) => void;
}

// The worker's whole program: one connection of its own, a PASSIVE checkpoint per request (it never
// waits for the writer or readers, and needs no lock they hold), the result back.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
parentPort.on('message', () => {
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

/**
 * Checkpoints a WAL-mode database mostly on a worker thread. SQLite's automatic checkpoint runs
 * inside the commit that crosses the threshold (1000 pages), on the writer's thread, and copies
 * every page and fsyncs the WAL and then the database file there: with a Raft log fsyncing on the
 * same disk, that stalled the event loop for tens of milliseconds every few hundred commits.
 *
 * Here the writer reports its commits; every `everyCommits` one PASSIVE checkpoint runs on a second
 * connection in a worker (at most one at a time) and copies what the WAL holds at its start. A
 * PASSIVE checkpoint alone never lets the WAL start over under a steady load (the writer restarts
 * the WAL only when every frame is back in the database file when its transaction begins, and new
 * frames arrive while the worker copies), so the writer keeps its own automatic checkpoint at a
 * higher threshold (`writerPages`): when the WAL reaches it, the writer copies only the tail the
 * worker has not reached, and the WAL starts over at the next commit. Durability is unchanged: the
 * same checkpoints with the same fsyncs, mostly on another thread. The worker starts with the first
 * checkpoint, so an idle server never pays for it.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private commits = 0;
  private running = false;
  private failed = false;
  private closed = false;
  private readonly every: number;
  /** Checkpoints finished (tests, stats). */
  done = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly opts: WalCheckpointerOptions = {},
  ) {
    this.every = opts.everyCommits ?? 100;
    if (db.memory) {
      this.failed = true; // nothing to checkpoint
      return;
    }
    db.pragma(`wal_autocheckpoint = ${opts.writerPages ?? 4000}`);
  }

  /** The writer committed a transaction. */
  committed(): void {
    if (this.failed || this.closed || ++this.commits < this.every || this.running) return;
    this.commits = 0;
    this.running = true;
    try {
      this.start().postMessage(0);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const w = new Worker(WORKER, {
      eval: true,
      workerData: { module, path: this.db.name },
      // A connection and a pragma: keep the worker's heap small (idle RSS matters on edge machines).
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    w.on('message', (r: { error?: string }) => {
      this.running = false;
      if (r.error) return this.fail(new Error(`wal checkpoint: ${r.error}`));
      this.done++;
    });
    w.on('error', (err: unknown) => this.fail(err instanceof Error ? err : new Error(`wal checkpoint worker: ${String(err)}`)));
    w.unref();
    this.worker = w;
    return w;
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.running = false;
    // Back to SQLite's own checkpoints so the WAL cannot grow without bound.
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
    void this.worker?.terminate();
    this.worker = undefined;
    this.opts.onError?.(err);
  }
}
