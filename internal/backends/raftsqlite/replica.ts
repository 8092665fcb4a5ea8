import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ReplicatedStateMachine } from '../../raftnode/index.js';
import type { Op, OpResult, WatchHub } from '../../storage/index.js';
import { SCHEMA_VERSION, createSqliteStateMachine, type Compactor, type SqliteStateMachine, type WalCheckpointer } from '../sqlite/index.js';

const TABLES = ['kv_log', 'kv_current', 'leases'] as const;

/**
 * The SQLite state machine of one raftsqlite node as the Raft driver sees it: each committed entry
 * is one transaction (with its index and term), its events go to the node's watch hub, and a
 * replicated compact op starts the local cleanup. Snapshots are images of the state file taken with
 * SQLite's online backup (no long lock; writes on this connection keep going and are folded in, so
 * the image states its own applied index), installed by copying the image's rows in one transaction
 * over the same connection (prepared statements and readers stay valid).
 */
export class SqliteReplica implements ReplicatedStateMachine<Op, OpResult> {
  sm: SqliteStateMachine;
  private hub: WatchHub | undefined;
  private compactor: Compactor | undefined;
  private checkpointer: WalCheckpointer | undefined;

  private readonly inOneTransaction: (fn: () => void) => void;

  constructor(private readonly db: Database.Database) {
    this.sm = createSqliteStateMachine(db);
    this.inOneTransaction = db.transaction((fn: () => void) => fn());
  }

  /** Wires the hub and compactor (built after the replica, since they read its window), and the WAL checkpointer. */
  attach(hub: WatchHub, compactor: Compactor, checkpointer?: WalCheckpointer): void {
    this.hub = hub;
    this.compactor = compactor;
    this.checkpointer = checkpointer;
  }

  appliedIndex(): number {
    return this.sm.appliedIndex();
  }

  /**
   * The entries of one commit message in one transaction (each entry's own becomes a savepoint):
   * the meta row and the hot B-tree pages reach the WAL once per message instead of once per entry.
   * Results and events are handed out during fn but act only after it returns (promise callbacks,
   * watch deliveries): by then the transaction committed, or it threw and the node stops.
   */
  applyMany(fn: () => void): void {
    this.inOneTransaction(fn);
  }


  apply(index: number, term: number, ops: Op[]): OpResult[] {
    const out = this.sm.apply(index, ops, term);
    if (!out) return [];
    this.checkpointer?.committed();
    this.hub?.publish(out.events, out.revision);
    if (ops.some((op) => op.op === 'compact')) {
      this.hub?.setCompactRevision(this.sm.compactRevision());
      this.compactor?.kick();
    }
    return out.results;
  }

  async saveImage(path: string): Promise<{ index: number; term: number }> {
    await this.db.backup(path);
    const img = new Database(path, { readonly: true, fileMustExist: true });
    try {
      // better-sqlite3 reports a first backup step that got SQLITE_BUSY as "no pages remaining":
      // never seal an image that is not a whole state DB.
      const version = img.pragma('user_version', { simple: true }) as number;
      if (version !== SCHEMA_VERSION) throw new Error(`state image ${path}: schema ${version}, want ${SCHEMA_VERSION} (incomplete backup)`);
      const meta = img.prepare('SELECT applied_index, applied_term FROM meta WHERE id = 1').get() as { applied_index: number; applied_term: number };
      return { index: meta.applied_index, term: meta.applied_term };
    } finally {
      img.close();
    }
  }

  installImage(path: string | undefined, index: number, term: number): void {
    const db = this.db;
    if (path) {
      // ATTACH of a missing file would create an empty database and install nothing.
      if (!existsSync(path)) throw new Error(`snapshot image ${path} is missing`);
      db.prepare('ATTACH DATABASE ? AS img').run(path);
      try {
        const version = db.pragma('img.user_version', { simple: true }) as number;
        if (version !== SCHEMA_VERSION) throw new Error(`snapshot image ${path}: schema ${version}, want ${SCHEMA_VERSION}`);
        db.transaction(() => {
          for (const t of TABLES) {
            db.exec(`DELETE FROM main.${t}`);
            db.exec(`INSERT INTO main.${t} SELECT * FROM img.${t}`);
          }
          db.exec('UPDATE main.meta SET (current_rev, compact_rev, compacted_through) = (SELECT current_rev, compact_rev, compacted_through FROM img.meta WHERE id = 1) WHERE id = 1');
          db.prepare('UPDATE main.meta SET applied_index = ?, applied_term = ? WHERE id = 1').run(index, term);
        })();
      } finally {
        db.exec('DETACH DATABASE img');
      }
    } else {
      // The bootstrap snapshot: the empty state at (index, term).
      db.transaction(() => {
        for (const t of TABLES) db.exec(`DELETE FROM main.${t}`);
        db.prepare('UPDATE main.meta SET current_rev = 0, compact_rev = 0, compacted_through = 0, applied_index = ?, applied_term = ? WHERE id = 1').run(index, term);
      })();
    }
    // The state machine caches its counters: start a fresh one over the new contents.
    this.sm = createSqliteStateMachine(db);
    // Watchers behind the new revision catch up from the new history, or get Compacted (etcd #15271).
    this.hub?.reset(Math.max(this.sm.revision(), this.hub.revision), this.sm.compactRevision());
    this.compactor?.kick();
  }
}
