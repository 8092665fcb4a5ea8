import Database from 'better-sqlite3';
import { ConfigError } from '../../util/index.js';

/** Schema version, kept in PRAGMA user_version. A file with a newer version is refused, never guessed at. */
export const SCHEMA_VERSION = 1;

/** kv_log.op values. */
export const OP_CREATE = 0;
export const OP_UPDATE = 1;
export const OP_DELETE = 2;

// datastore-anchors.md §d.2. Keys are BLOBs (UTF-8 bytes), so SQLite's BINARY order is byte order.
const DDL_V1 = `
CREATE TABLE kv_log (
  rev        INTEGER PRIMARY KEY,        -- the revision of this change; assigned by apply, no gaps
  key        BLOB    NOT NULL,
  op         INTEGER NOT NULL,           -- 0 create, 1 update, 2 delete
  create_rev INTEGER NOT NULL,           -- revision that started this life of the key
  prev_rev   INTEGER NOT NULL,           -- the row this one supersedes (0 for a create): gives prevKv
  version    INTEGER NOT NULL,           -- 0 for a delete
  lease_id   INTEGER NOT NULL,
  value      BLOB                        -- NULL for a delete
);
CREATE INDEX kv_log_key_rev ON kv_log (key, rev);

CREATE TABLE kv_current (
  key        BLOB    PRIMARY KEY,
  mod_rev    INTEGER NOT NULL,
  create_rev INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  lease_id   INTEGER NOT NULL,
  value      BLOB    NOT NULL
) WITHOUT ROWID;
CREATE INDEX kv_current_lease ON kv_current (lease_id) WHERE lease_id != 0;
-- Keys only: lets count(*) over a range skip the values (the table itself is clustered with them).
CREATE INDEX kv_current_keys ON kv_current (key);

CREATE TABLE leases (
  id            INTEGER PRIMARY KEY,
  ttl_s         INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL         -- absolute, from the proposer's clock, so restarts keep TTLs
);
CREATE INDEX leases_expiry ON leases (expires_at_ms);

CREATE TABLE meta (
  id                INTEGER PRIMARY KEY CHECK (id = 1),
  current_rev       INTEGER NOT NULL,
  compact_rev       INTEGER NOT NULL,    -- reads below it are Compacted (set by the replicated compact op)
  applied_index     INTEGER NOT NULL,    -- position of the last applied batch in the log in front
  applied_term      INTEGER NOT NULL,
  compacted_through INTEGER NOT NULL     -- local progress of the physical cleanup of kv_log (<= compact_rev)
);
INSERT INTO meta VALUES (1, 0, 0, 0, 0, 0);
`;

/** Creates the schema in an empty database, accepts the current version, refuses anything else. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new ConfigError(`${db.name}: schema version ${version} is newer than this kplane supports (${SCHEMA_VERSION}); use a newer kplane`);
  }
  const tables = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).pluck().get() as number;
  if (tables > 0) throw new ConfigError(`${db.name}: not a kplane database (user_version 0 with existing tables)`);
  db.transaction(() => {
    db.exec(DDL_V1);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/**
 * Opens (creating if needed) the store's file. WAL with synchronous=FULL: on a single node there is
 * no Raft log in front, so this file is the durable record and each commit must reach the disk
 * before a write is acknowledged. (raftsqlite may relax this; its Raft log is the record there.)
 */
export function openDatabase(path: string, opts: { synchronous?: 'FULL' | 'NORMAL' | 'OFF' } = {}): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = OFF');
    // The default 2 MiB page cache makes every list of a few thousand objects go back to the OS.
    db.pragma('cache_size = -65536');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
