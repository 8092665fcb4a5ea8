import Database from 'better-sqlite3';
import { LogStorageError, limitSize, type ConfState, type Entry, type HardState, type InitialState, type LogStorage, type Snapshot } from '../raft/index.js';
import { ConfigError, assert } from '../util/index.js';

/** Schema version of raft.db (PRAGMA user_version). A newer file is refused. */
const LOG_SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE entries (
  idx  INTEGER PRIMARY KEY,
  term INTEGER NOT NULL,
  type INTEGER NOT NULL,               -- 0 normal, 1 confChange
  data BLOB    NOT NULL
);
CREATE TABLE hard_state (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  term   INTEGER NOT NULL,
  vote   INTEGER NOT NULL,
  commit_index INTEGER NOT NULL
);
CREATE TABLE snapshot (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  idx        INTEGER NOT NULL,
  term       INTEGER NOT NULL,
  conf_state TEXT    NOT NULL,         -- JSON ConfState as of idx
  data       BLOB    NOT NULL          -- the snapshot descriptor handed to the core (not the image)
);
-- The compaction point: the log holds entries after idx; term of idx is still known. <= snapshot.idx.
CREATE TABLE log_start (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  idx  INTEGER NOT NULL,
  term INTEGER NOT NULL
);
INSERT INTO hard_state VALUES (1, 0, 0, 0);
INSERT INTO log_start VALUES (1, 0, 0);
INSERT INTO snapshot VALUES (1, 0, 0, '{"voters":[],"learners":[]}', x'');
`;

/** Everything one Ready asks to persist, written in one durable transaction. */
export interface PersistBatch {
  snapshot?: Snapshot;
  entries: readonly Entry[];
  hardState?: HardState;
}

export interface SqliteLogStorageOptions {
  /** Bytes of recent entry data kept in memory for the leader's appends. Default 8 MiB. */
  cacheBytes?: number;
}

/**
 * The durable Raft log on better-sqlite3, in its own file (raft.db) apart from the state DB:
 * entries, HardState and the latest snapshot's metadata. WAL with synchronous=FULL: every write
 * transaction is fsynced before `save` returns, so the driver may send votes and append acks right
 * after (raft-and-testing.md §b.3; etcd #14370/#14143).
 *
 * Reads (the core's LogStorage view) come from memory: the term of every stored entry, and the data
 * of the most recent entries up to a byte budget; older entries are read from the file.
 * One connection, one thread.
 */
export class SqliteLogStorage implements LogStorage {
  private readonly db: Database.Database;
  private readonly st;
  /** save()'s transaction, wrapped once: better-sqlite3 builds four wrapper functions per transaction() call. */
  private readonly persist: (snap: Snapshot | undefined, ents: readonly Entry[], hs: HardState | undefined) => void;
  private hard: HardState;
  private snap: Snapshot;
  /** Terms of entries offset+1 .. offset+terms.length. */
  private terms: number[] = [];
  private offset: number;
  private offsetTerm: number;
  /** Recent entries by index (a suffix of the log), with their total data size. */
  private cache: Entry[] = [];
  private cacheSize = 0;
  private readonly cacheBytes: number;
  private synced = true;
  /** `hard` holds a commit index not yet written (see save). */
  private commitUnsaved = false;

  constructor(
    readonly path: string,
    opts: SqliteLogStorageOptions = {},
  ) {
    this.cacheBytes = opts.cacheBytes ?? 8 << 20;
    this.db = openLogDatabase(path);
    const db = this.db;
    this.st = {
      hard: db.prepare<[], { term: number; vote: number; commit_index: number }>('SELECT term, vote, commit_index FROM hard_state WHERE id = 1'),
      setHard: db.prepare('UPDATE hard_state SET term = ?, vote = ?, commit_index = ? WHERE id = 1'),
      snap: db.prepare<[], { idx: number; term: number; conf_state: string; data: Buffer }>('SELECT idx, term, conf_state, data FROM snapshot WHERE id = 1'),
      setSnap: db.prepare('UPDATE snapshot SET idx = ?, term = ?, conf_state = ?, data = ? WHERE id = 1'),
      start: db.prepare<[], { idx: number; term: number }>('SELECT idx, term FROM log_start WHERE id = 1'),
      setStart: db.prepare('UPDATE log_start SET idx = ?, term = ? WHERE id = 1'),
      terms: db.prepare<[number], { idx: number; term: number }>('SELECT idx, term FROM entries WHERE idx > ? ORDER BY idx'),
      range: db.prepare<[number, number], { idx: number; term: number; type: number; data: Buffer }>(
        'SELECT idx, term, type, data FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx',
      ),
      insert: db.prepare('INSERT OR REPLACE INTO entries (idx, term, type, data) VALUES (?, ?, ?, ?)'),
      truncateFrom: db.prepare('DELETE FROM entries WHERE idx >= ?'),
      deleteThrough: db.prepare('DELETE FROM entries WHERE idx <= ?'),
    };
    this.persist = db.transaction((snap: Snapshot | undefined, ents: readonly Entry[], hs: HardState | undefined) => {
      if (snap) {
        const m = snap.metadata;
        this.st.setSnap.run(m.index, m.term, JSON.stringify(m.confState), Buffer.from(snap.data));
        this.st.truncateFrom.run(0);
        this.st.setStart.run(m.index, m.term);
      }
      if (ents.length > 0) {
        // Entries at or below the last stored index replace them (a new leader's log wins); an
        // append past the end (the usual case) has nothing to delete.
        if (!snap && ents[0]!.index <= this.lastIndex()) this.st.truncateFrom.run(ents[0]!.index);
        for (const e of ents) this.st.insert.run(e.index, e.term, e.type === 'confChange' ? 1 : 0, Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength));
      }
      if (hs) this.st.setHard.run(hs.term, hs.vote, hs.commit);
    });
    const h = this.st.hard.get()!;
    const s = this.st.snap.get()!;
    this.snap = { metadata: { index: s.idx, term: s.term, confState: JSON.parse(s.conf_state) as ConfState }, data: new Uint8Array(s.data) };
    // The stored commit index may lag (save writes it with the next batch); everything up to the
    // snapshot was applied, so it was committed.
    this.hard = { term: h.term, vote: h.vote, commit: Math.max(h.commit_index, s.idx) };
    const start = this.st.start.get()!;
    this.offset = start.idx;
    this.offsetTerm = start.term;
    let expect = this.offset + 1;
    for (const row of this.st.terms.iterate(this.offset)) {
      // A gap would mean a torn write; SQLite transactions rule it out, so this is corruption.
      if (row.idx !== expect) throw new ConfigError(`${path}: raft log has a gap at index ${expect} (found ${row.idx}); run kplane recover`);
      this.terms.push(row.term);
      expect++;
    }
  }

  /**
   * A fresh log for a founding member: a snapshot at (index 1, term 1) holding the initial
   * configuration (like MemoryLogStorage.withConfState), written durably. Refuses a non-empty log.
   */
  bootstrap(confState: ConfState, data: Uint8Array = new Uint8Array()): void {
    assert(this.isEmpty(), `${this.path}: bootstrap on a log that is not empty`);
    this.save({ snapshot: { metadata: { index: 1, term: 1, confState }, data }, entries: [], hardState: { term: 1, vote: 0, commit: 1 } });
  }

  /** True when nothing was ever written (no term, no snapshot, no entries). */
  isEmpty(): boolean {
    return this.hard.term === 0 && this.snap.metadata.index === 0 && this.terms.length === 0;
  }

  initialState(): InitialState {
    return { hardState: { ...this.hard }, confState: copyConf(this.snap.metadata.confState) };
  }

  hardState(): HardState {
    return { ...this.hard };
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo <= this.offset) throw new LogStorageError('Compacted', `entries(${lo}) below first index ${this.firstIndex()}`);
    if (hi > this.lastIndex() + 1) throw new LogStorageError('Unavailable', `entries(.., ${hi}) past last index ${this.lastIndex()}`);
    if (lo >= hi) return [];
    const cacheFirst = this.cache.length > 0 ? this.cache[0]!.index : Infinity;
    if (lo >= cacheFirst) return limitSize(this.cache.slice(lo - cacheFirst, hi - cacheFirst), maxBytes);
    // Older than the cache: read from the file, bounded so a huge range is not materialized.
    const out: Entry[] = [];
    let size = 0;
    for (const row of this.st.range.iterate(lo, hi)) {
      const e = rowToEntry(row);
      if (out.length > 0 && maxBytes !== undefined && size + e.data.length > maxBytes) break;
      out.push(e);
      size += e.data.length;
    }
    assert(out.length > 0 && out[0]!.index === lo, `raft log: entries(${lo}, ${hi}) read nothing from ${this.path}`);
    return out;
  }

  term(i: number): number {
    if (i < this.offset) throw new LogStorageError('Compacted', `term(${i}) below ${this.offset}`);
    if (i > this.lastIndex()) throw new LogStorageError('Unavailable', `term(${i}) past last index ${this.lastIndex()}`);
    return i === this.offset ? this.offsetTerm : this.terms[i - this.offset - 1]!;
  }

  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.terms.length;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * Persists one Ready's snapshot, entries and HardState in one transaction, fsynced on commit
   * (synchronous=FULL) unless `sync` is false. A received snapshot replaces the whole log; an entry at index i replaces
   * stored entries >= i. Only after this returns may the Ready's messages be sent.
   */
  save(b: PersistBatch, sync = true): void {
    if (!b.snapshot && b.entries.length === 0 && !b.hardState) return;
    // A HardState that moves only the commit index is not written on its own: about every other
    // Ready on a busy node is one, and a transaction for it cost a fifth of the log's CPU. Raft
    // needs no durable commit index (a restarted node learns it from the leader; the state DB holds
    // what was applied); it reaches the file with the next batch that writes anything, or at close.
    if (!b.snapshot && b.entries.length === 0 && b.hardState!.term === this.hard.term && b.hardState!.vote === this.hard.vote) {
      this.hard = { ...b.hardState! };
      this.commitUnsaved = true;
      return;
    }
    // A commit-only HardState need not reach the disk (the leader re-sends it): skip the fsync. A
    // later synced commit makes it durable too (one WAL, fsynced up to its end).
    if (sync !== this.synced) {
      this.db.pragma(`synchronous = ${sync ? 'FULL' : 'NORMAL'}`);
      this.synced = sync;
    }
    let ents = b.entries;
    const snap = b.snapshot && b.snapshot.metadata.index > this.snap.metadata.index ? b.snapshot : undefined;
    const base = snap ? snap.metadata.index : this.offset;
    if (ents.length > 0 && ents[0]!.index <= base) ents = ents.filter((e) => e.index > base);
    if (ents.length > 0) {
      const last = snap ? base : this.lastIndex();
      assert(ents[0]!.index <= last + 1, `raft log: append at ${ents[0]!.index} leaves a gap after ${last}`);
    }
    this.persist(snap, ents, b.hardState ?? (this.commitUnsaved ? this.hard : undefined));
    this.commitUnsaved = false;
    // The file is durable; now mirror it in memory.
    if (snap) {
      this.snap = snap;
      this.offset = snap.metadata.index;
      this.offsetTerm = snap.metadata.term;
      this.terms = [];
      this.cache = [];
      this.cacheSize = 0;
    }
    if (ents.length > 0) this.appendInMemory(ents);
    if (b.hardState) this.hard = { ...b.hardState };
  }

  /**
   * Records a snapshot of the applied state at `index` (<= lastIndex, >= the current snapshot),
   * durably. `data` is the descriptor the core hands to followers. Does not compact.
   */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    assert(index >= this.snap.metadata.index, `snapshot at ${index} older than ${this.snap.metadata.index}`);
    const snap: Snapshot = { metadata: { index, term: this.term(index), confState: copyConf(confState) }, data };
    this.st.setSnap.run(index, snap.metadata.term, JSON.stringify(snap.metadata.confState), Buffer.from(data));
    this.snap = snap;
    return snap;
  }

  /** Discards entries <= index, which the current snapshot must cover (followers may still need them otherwise). */
  compact(index: number): void {
    if (index <= this.offset) return;
    assert(index <= this.snap.metadata.index, `compact(${index}) beyond snapshot ${this.snap.metadata.index}`);
    assert(index <= this.lastIndex(), `compact(${index}) past last index ${this.lastIndex()}`);
    const term = this.term(index);
    this.db.transaction(() => {
      this.st.deleteThrough.run(index);
      this.st.setStart.run(index, term);
    })();
    this.terms = this.terms.slice(index - this.offset);
    this.offset = index;
    this.offsetTerm = term;
    const drop = this.cache.findIndex((e) => e.index > index);
    this.dropCachePrefix(drop < 0 ? this.cache.length : drop);
  }

  /** Entries stored after the snapshot (for snapshot triggers and status). */
  entryCount(): number {
    return this.terms.length;
  }

  close(): void {
    if (!this.db.open) return;
    if (this.commitUnsaved) this.st.setHard.run(this.hard.term, this.hard.vote, this.hard.commit);
    this.db.close();
  }

  private appendInMemory(ents: readonly Entry[]): void {
    const at = ents[0]!.index;
    this.terms.length = at - this.offset - 1;
    for (const e of ents) this.terms.push(e.term);
    // Keep the cache a contiguous suffix of the log.
    const cacheFirst = this.cache.length > 0 ? this.cache[0]!.index : at;
    if (at < cacheFirst || at > cacheFirst + this.cache.length) {
      this.cache = [];
      this.cacheSize = 0;
    } else {
      for (const e of this.cache.splice(at - cacheFirst)) this.cacheSize -= e.data.length;
    }
    for (const e of ents) {
      this.cache.push(e);
      this.cacheSize += e.data.length;
    }
    let n = 0;
    let size = this.cacheSize;
    while (n < this.cache.length - 1 && size > this.cacheBytes) size -= this.cache[n++]!.data.length;
    this.dropCachePrefix(n);
  }

  private dropCachePrefix(n: number): void {
    if (n <= 0) return;
    for (const e of this.cache.splice(0, n)) this.cacheSize -= e.data.length;
  }
}

function openLogDatabase(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so a returned save() survives power loss.
    db.pragma('synchronous = FULL');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > LOG_SCHEMA_VERSION) {
      throw new ConfigError(`${path}: raft log schema ${version} is newer than this kplane supports (${LOG_SCHEMA_VERSION})`);
    }
    if (version === 0) {
      const tables = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).pluck().get() as number;
      if (tables > 0) throw new ConfigError(`${path}: not a kplane raft log (user_version 0 with existing tables)`);
      db.transaction(() => {
        db.exec(DDL);
        db.pragma(`user_version = ${LOG_SCHEMA_VERSION}`);
      })();
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function rowToEntry(r: { idx: number; term: number; type: number; data: Buffer }): Entry {
  return { index: r.idx, term: r.term, type: r.type === 1 ? 'confChange' : 'normal', data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) };
}

function copyConf(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}
