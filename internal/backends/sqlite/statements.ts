import type Database from 'better-sqlite3';
import type { KeyValue } from '../../storage/index.js';

/** A kv_current row, or a kv_log row as seen by reads (rev = mod revision). */
export interface KvRow {
  key: Buffer;
  rev: number;
  create_rev: number;
  version: number;
  lease_id: number;
  value: Buffer | null;
}

export interface LogRow extends KvRow {
  op: number;
  p_rev: number | null;
  p_create_rev: number | null;
  p_version: number | null;
  p_lease_id: number | null;
  p_value: Buffer | null;
}

export interface MetaRow {
  current_rev: number;
  compact_rev: number;
  applied_index: number;
  applied_term: number;
  compacted_through: number;
}

const EMPTY = Buffer.alloc(0);

export const keyBytes = (key: string): Buffer => Buffer.from(key, 'utf8');

/** Exclusive upper bound of the keys with this prefix: UTF-8 never contains byte 0xFF. */
export const prefixEnd = (prefix: string): Buffer => Buffer.concat([keyBytes(prefix), Buffer.from([0xff])]);

/** Zero-copy view of a value as a Buffer (what better-sqlite3 binds as a BLOB). */
export const valueBytes = (v: Uint8Array): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));

export function rowToKv(r: KvRow): KeyValue {
  return {
    key: r.key.toString('utf8'),
    value: r.value ?? EMPTY,
    createRevision: r.create_rev,
    modRevision: r.rev,
    version: r.version,
    lease: r.lease_id,
  };
}

/** The prepared statements of one connection, compiled once. */
export function prepareStatements(db: Database.Database) {
  const kvCols = 'key, mod_rev AS rev, create_rev, version, lease_id, value';
  // The newest version <= @rev of each key in [lo, hi), skipping keys deleted by then. Walks the
  // (key, rev) index in key order, so LIMIT stops early (a GROUP BY form sorted the whole range).
  const atRev = `SELECT l.key, l.rev, l.create_rev, l.version, l.lease_id, l.value FROM kv_log l
    WHERE l.key >= @lo AND l.key < @hi AND l.rev <= @rev AND l.op != 2
      AND NOT EXISTS (SELECT 1 FROM kv_log n WHERE n.key = l.key AND n.rev > l.rev AND n.rev <= @rev)`;
  return {
    meta: db.prepare<[], MetaRow>('SELECT current_rev, compact_rev, applied_index, applied_term, compacted_through FROM meta WHERE id = 1'),
    setMeta: db.prepare('UPDATE meta SET current_rev = ?, compact_rev = ?, applied_index = ?, applied_term = ? WHERE id = 1'),
    setCompactedThrough: db.prepare('UPDATE meta SET compacted_through = ? WHERE id = 1'),

    current: db.prepare<[Buffer], KvRow>(`SELECT ${kvCols} FROM kv_current WHERE key = ?`),
    insertCurrent: db.prepare('INSERT INTO kv_current (key, mod_rev, create_rev, version, lease_id, value) VALUES (?, ?, ?, ?, ?, ?)'),
    updateCurrent: db.prepare('UPDATE kv_current SET mod_rev = ?, version = ?, lease_id = ?, value = ? WHERE key = ?'),
    deleteCurrent: db.prepare('DELETE FROM kv_current WHERE key = ?'),
    insertLog: db.prepare('INSERT INTO kv_log (rev, key, op, create_rev, prev_rev, version, lease_id, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    keysWithLease: db.prepare<[number], { key: Buffer }>('SELECT key FROM kv_current WHERE lease_id = ? ORDER BY key'),

    rangeCurrent: db.prepare<{ lo: Buffer; hi: Buffer; limit: number }, KvRow>(
      `SELECT ${kvCols} FROM kv_current WHERE key >= @lo AND key < @hi ORDER BY key LIMIT @limit`,
    ),
    countCurrent: db.prepare<[Buffer, Buffer], number>('SELECT count(*) FROM kv_current WHERE key >= ? AND key < ?').pluck(),
    getAt: db.prepare<[Buffer, number], KvRow & { op: number }>(
      'SELECT key, rev, create_rev, version, lease_id, value, op FROM kv_log WHERE key = ? AND rev <= ? ORDER BY rev DESC LIMIT 1',
    ),
    rangeAt: db.prepare<{ lo: Buffer; hi: Buffer; rev: number; limit: number }, KvRow>(`${atRev} ORDER BY l.key LIMIT @limit`),
    countAt: db.prepare<{ lo: Buffer; hi: Buffer; rev: number }, number>(`SELECT count(*) FROM (${atRev})`).pluck(),
    // How the count of [lo, hi) at @rev differs from the current count: over the keys written after
    // @rev (the rev primary key bounds the scan to those rows), +1 for each that existed at @rev
    // (its newest row <= @rev is no delete) and -1 for each that exists now. Keys not written since
    // are in both counts alike. Rows newer than the compact revision are never compacted, and a key's
    // newest row <= @rev (>= the compact revision) is compacted only if it was a delete, so both
    // lookups see what they need.
    countDeltaSince: db
      .prepare<{ lo: Buffer; hi: Buffer; rev: number }, number | null>(
        `SELECT sum(coalesce((SELECT p.op != 2 FROM kv_log p WHERE p.key = t.key AND p.rev <= @rev ORDER BY p.rev DESC LIMIT 1), 0)
                  - EXISTS (SELECT 1 FROM kv_current c WHERE c.key = t.key))
         FROM (SELECT DISTINCT key FROM kv_log NOT INDEXED WHERE rev > @rev AND key >= @lo AND key < @hi) t`,
      )
      .pluck(),

    history: db.prepare<{ after: number; until: number; lo: Buffer; hi: Buffer; limit: number }, LogRow>(
      `SELECT l.key, l.rev, l.op, l.create_rev, l.version, l.lease_id, l.value,
              p.rev AS p_rev, p.create_rev AS p_create_rev, p.version AS p_version, p.lease_id AS p_lease_id, p.value AS p_value
       FROM kv_log l LEFT JOIN kv_log p ON p.rev = l.prev_rev
       WHERE l.rev > @after AND l.rev <= @until AND l.key >= @lo AND l.key < @hi
       ORDER BY l.rev LIMIT @limit`,
    ),

    grantLease: db.prepare('INSERT OR REPLACE INTO leases (id, ttl_s, expires_at_ms) VALUES (?, ?, ?)'),
    revokeLease: db.prepare('DELETE FROM leases WHERE id = ?'),
    dueLeases: db.prepare<[number], number>('SELECT id FROM leases WHERE expires_at_ms <= ? ORDER BY expires_at_ms, id').pluck(),
    maxLeaseId: db.prepare<[], number | null>('SELECT max(id) FROM leases').pluck(),

    // Physical compaction of (lo, hi]: drop the rows superseded inside it, then its delete markers.
    compactPrevs: db.prepare('DELETE FROM kv_log WHERE rev IN (SELECT prev_rev FROM kv_log WHERE rev > ? AND rev <= ? AND prev_rev > 0)'),
    compactDeletes: db.prepare('DELETE FROM kv_log WHERE rev > ? AND rev <= ? AND op = 2'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
