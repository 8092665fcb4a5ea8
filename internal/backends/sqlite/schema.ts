import Database from 'better-sqlite3';
import { ConfigError } from '../../util/index.js';

/** Schema version, kept in PRAGMA user_version. A file with a newer version is refused, never guessed at. */
export const SCHEMA_VERSION = 2;

/** kv_log.op values. */
export const OP_CREATE = 0;
export const OP_UPDATE = 1;
export const OP_DELETE = 2;

// datastore-anchors.md §d.2. Keys are BLOBs (UTF-8 bytes), so SQLite's BINARY order is byte order.
//
// kv_current is a rowid table with a unique key index (schema 2). Version 1 made it WITHOUT ROWID,
// which stores whole rows in the interior b-tree pages: with ~1 KiB objects that gave a fan-out of
// 3-4 and a tree ~10 levels deep for 5000 keys, every lookup reading a dozen overflow pages with
// pread. Measured on this machine (5000 rows of 1.3 KiB): get 45 → 12 µs CPU, a one-row write
// transaction 133 → 39 µs, file 5755 → 1728 pages.
const KV_CURRENT = `
CREATE TABLE kv_current (
  key        BLOB    NOT NULL UNIQUE,   -- the unique index keeps keys in byte order for range scans
  mod_rev    INTEGER NOT NULL,
  create_rev INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  lease_id   INTEGER NOT NULL,
  value      BLOB    NOT NULL
);
CREATE INDEX kv_current_lease ON kv_current (lease_id) WHERE lease_id != 0;
`;

const DDL = `
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

${KV_CURRENT}

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

/** Version 1 → 2: kv_current moves from WITHOUT ROWID to a rowid table (see KV_CURRENT). */
const MIGRATE_1_TO_2 = `
ALTER TABLE kv_current RENAME TO kv_current_v1;
DROP INDEX kv_current_lease;
DROP INDEX kv_current_keys;
${KV_CURRENT}
INSERT INTO kv_current (key, mod_rev, create_rev, version, lease_id, value)
  SELECT key, mod_rev, create_rev, version, lease_id, value FROM kv_current_v1 ORDER BY key;
DROP TABLE kv_current_v1;
`;

/** Creates the schema in an empty database, upgrades older versions, refuses anything else. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new ConfigError(`${db.name}: schema version ${version} is newer than this kplane supports (${SCHEMA_VERSION}); use a newer kplane`);
  }
  if (version === 1) {
    db.transaction(() => {
      db.exec(MIGRATE_1_TO_2);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
    return;
  }
  const tables = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).pluck().get() as number;
  if (tables > 0) throw new ConfigError(`${db.name}: not a kplane database (user_version 0 with existing tables)`);
  db.transaction(() => {
    db.exec(DDL);
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
