import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import type { Op } from '../../storage/index.js';
import { seededRand } from '../../util/index.js';
import { Compactor } from './compactor.js';
import { SqliteReader } from './reader.js';
import { openDatabase } from './schema.js';
import { createSqliteStateMachine, type SqliteStateMachine } from './state-machine.js';
import { keyBytes, prefixEnd, prepareStatements } from './statements.js';
import { b, tempDir } from './test-util.js';

describe('list counts at a past revision (remainingItemCount of paged lists)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let sm: SqliteStateMachine;
  let reader: SqliteReader;
  let index = 0;
  beforeEach(() => {
    tmp = tempDir('count');
    db = openDatabase(tmp.path('c.db'));
    sm = createSqliteStateMachine(db);
    reader = new SqliteReader(db, () => ({ revision: sm.revision(), compactRevision: sm.compactRevision() }));
    index = 0;
  });
  afterEach(() => {
    db.close();
    tmp.cleanup();
  });

  /**
   * Random creates, updates and deletes (recreates included) of keys under two prefixes; returns the
   * set of live keys after every revision (the model the counts are checked against).
   */
  function randomHistory(seed: number, writes: number): Map<number, Set<string>> {
    const rand = seededRand(seed);
    const live = new Map<string, number>(); // key → mod revision
    const at = new Map<number, Set<string>>([[0, new Set()]]);
    const keys = Array.from({ length: 24 }, (_, i) => `/${i % 3 === 0 ? 'other' : 'pods'}/k${String(i).padStart(2, '0')}`);
    for (let w = 0; w < writes; w++) {
      const key = keys[Math.floor(rand() * keys.length)]!;
      const mod = live.get(key);
      const op: Op = mod === undefined ? { op: 'create', key, value: b(`v${w}`), lease: 0 } : rand() < 0.3 ? { op: 'delete', key } : { op: 'update', key, value: b(`v${w}`), expectedModRevision: mod, lease: 0 };
      const out = sm.apply(++index, [op])!;
      if (op.op === 'delete') live.delete(key);
      else live.set(key, out.revision);
      at.set(out.revision, new Set(live.keys()));
    }
    return at;
  }

  const expected = (at: Map<number, Set<string>>, rev: number, lo: string, prefix: string) => [...at.get(rev)!].filter((k) => k.startsWith(prefix) && k >= lo).length;

  it.each([1, 2, 3])('the delta since a revision gives the same count as evaluating the range at it, for every revision and start key (seed %i)', (seed) => {
    const at = randomHistory(seed, 200);
    const st = prepareStatements(db);
    for (const [rev] of at) {
      for (const lo of ['/pods/', '/pods/k05', '/pods/k13', '/other/k09']) {
        const prefix = lo.startsWith('/pods/') ? '/pods/' : '/other/';
        const range = { lo: keyBytes(lo), hi: prefixEnd(prefix), rev };
        const viaDelta = st.countCurrent.get(range.lo, range.hi)! + (st.countDeltaSince.get(range) ?? 0);
        const want = expected(at, rev, lo, prefix);
        expect({ rev, lo, viaDelta, direct: st.countAt.get(range) }).toEqual({ rev, lo, viaDelta: want, direct: want });
      }
    }
  });

  it('paged lists report the remaining count at the first page’s revision while writes go on, also after compaction', async () => {
    const at = randomHistory(7, 150);
    const compactTo = 60;
    sm.apply(++index, [{ op: 'compact', revision: compactTo }]);
    const c = new Compactor(db, () => sm.compactRevision());
    c.kick();
    await c.idle;
    for (const [rev] of at) {
      if (rev < compactTo) continue;
      const first = reader.list('/pods/', { revision: rev, limit: 2 });
      expect(first.count).toBe(expected(at, rev, '', '/pods/'));
      if (!first.more) continue;
      const startKey = `${first.kvs.at(-1)!.key}\0`;
      const next = reader.list('/pods/', { revision: rev, limit: 2, startKey });
      expect(next.count).toBe(expected(at, rev, startKey, '/pods/'));
    }
  });

  it('scans only the rows written since the revision, not the range (the rowid range, not the key index)', () => {
    const st = prepareStatements(db);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${st.countDeltaSince.source}`).all({ lo: keyBytes('/pods/'), hi: prefixEnd('/pods/'), rev: 0 }) as { detail: string }[];
    const details = plan.map((p) => p.detail);
    expect(details).toContainEqual(expect.stringMatching(/^SEARCH kv_log USING INTEGER PRIMARY KEY \(rowid>\?\)$/));
    expect(details.filter((d) => d.startsWith('SCAN kv_log'))).toEqual([]);
  });
});
