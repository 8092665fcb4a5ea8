import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDatabase, SCHEMA_VERSION } from './schema.js';
import { createSqliteBackend } from './sqlite-backend.js';
import { b, s, tempDir } from './test-util.js';

// The version-1 layout as it was released: kv_current WITHOUT ROWID plus a keys-only index.
const V1 = `
CREATE TABLE kv_log (rev INTEGER PRIMARY KEY, key BLOB NOT NULL, op INTEGER NOT NULL, create_rev INTEGER NOT NULL,
  prev_rev INTEGER NOT NULL, version INTEGER NOT NULL, lease_id INTEGER NOT NULL, value BLOB);
CREATE INDEX kv_log_key_rev ON kv_log (key, rev);
CREATE TABLE kv_current (key BLOB PRIMARY KEY, mod_rev INTEGER NOT NULL, create_rev INTEGER NOT NULL,
  version INTEGER NOT NULL, lease_id INTEGER NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX kv_current_lease ON kv_current (lease_id) WHERE lease_id != 0;
CREATE INDEX kv_current_keys ON kv_current (key);
CREATE TABLE leases (id INTEGER PRIMARY KEY, ttl_s INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL);
CREATE INDEX leases_expiry ON leases (expires_at_ms);
CREATE TABLE meta (id INTEGER PRIMARY KEY CHECK (id = 1), current_rev INTEGER NOT NULL, compact_rev INTEGER NOT NULL,
  applied_index INTEGER NOT NULL, applied_term INTEGER NOT NULL, compacted_through INTEGER NOT NULL);
INSERT INTO meta VALUES (1, 2, 0, 2, 0, 0);
INSERT INTO kv_log VALUES (1, CAST('/b' AS BLOB), 0, 1, 0, 1, 0, CAST('one' AS BLOB));
INSERT INTO kv_log VALUES (2, CAST('/a' AS BLOB), 0, 2, 0, 1, 7, CAST('two' AS BLOB));
INSERT INTO kv_current VALUES (CAST('/b' AS BLOB), 1, 1, 1, 0, CAST('one' AS BLOB));
INSERT INTO kv_current VALUES (CAST('/a' AS BLOB), 2, 2, 1, 7, CAST('two' AS BLOB));
PRAGMA user_version = 1;
`;

describe('sqlite schema', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('schema')));
  afterEach(() => tmp.cleanup());

  it('stores current values in a rowid table, so interior pages hold keys only', () => {
    const db = openDatabase(tmp.path('new.db'));
    const sql = db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'kv_current'`).pluck().get() as string;
    expect(sql).not.toMatch(/WITHOUT ROWID/i);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('upgrades a version-1 file in place, keeping every key, its revisions and its lease', async () => {
    const path = tmp.path('v1.db');
    const raw = new Database(path);
    raw.exec(V1);
    raw.close();
    const be = createSqliteBackend({ path, compaction: false });
    try {
      expect(await be.currentRevision()).toEqual({ revision: 2, compactRevision: 0 });
      const list = await be.list('/');
      expect(list.kvs.map((kv) => [kv.key, s(kv.value), kv.modRevision, kv.lease])).toEqual([
        ['/a', 'two', 2, 7],
        ['/b', 'one', 1, 0],
      ]);
      const up = await be.update('/a', b('three'), 2);
      expect(up.succeeded).toBe(true);
      expect(s((await be.get('/a')).kv?.value)).toBe('three');
    } finally {
      await be.close();
    }
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name IN ('kv_current_v1', 'kv_current_keys')`).pluck().get()).toBe(0);
    db.close();
  });
});
