import { describe, expect, it } from 'vitest';
import { seededRand } from '../../internal/util/index.js';
import { create, del, fail, generateHistory, get, got, ok, op, update } from './history-gen.js';
import type { HistoryOp, KvInput, KvOutput } from './history.js';
import { checkLinearizability } from './linearizability.js';


describe('checkLinearizability: known histories', () => {
  it('accepts a sequential create / CAS / delete history', () => {
    const h = [
      op(1, create('v1'), 0, 1, ok(1)),
      op(1, get(), 2, 3, got(1, 'v1', 1)),
      op(2, update('v2', 1), 4, 5, ok(2)),
      op(1, update('v3', 1), 6, 7, fail(2)),
      op(2, get(), 8, 9, got(2, 'v2', 2)),
      op(1, del(2), 10, 11, ok(3)),
      op(2, get(), 12, 13, got(3)),
      op(1, create('v4'), 14, 15, ok(4)),
      op(2, create('v5'), 16, 17, fail(4)),
    ];
    expect(checkLinearizability(h).ok).toBe(true);
  });

  it('rejects a stale read after a completed update (the deposed-leader case)', () => {
    const h = [
      op(1, create('v1'), 0, 1, ok(1)),
      op(1, update('v2', 1), 2, 3, ok(2)),
      op(2, get(), 4, 5, got(1, 'v1', 1)),
    ];
    const r = checkLinearizability(h);
    expect(r.ok).toBe(false);
    expect(r.violations[0]!.key).toBe('a');
  });

  it('lets a read concurrent with an update see either value, but never go back', () => {
    const base = [op(1, create('v1'), 0, 1, ok(1)), op(1, update('v2', 1), 2, 10, ok(2))];
    expect(checkLinearizability([...base, op(2, get(), 3, 4, got(1, 'v1', 1))]).ok).toBe(true);
    expect(checkLinearizability([...base, op(2, get(), 3, 4, got(2, 'v2', 2))]).ok).toBe(true);
    const back = [...base, op(2, get(), 3, 4, got(2, 'v2', 2)), op(3, get(), 5, 6, got(1, 'v1', 1))];
    expect(checkLinearizability(back).ok).toBe(false);
  });

  it('treats a timed-out write as maybe-applied, at an unknown revision pinned by a later read', () => {
    const base = [op(1, create('v1'), 0, 1, ok(1)), op(1, update('v2', 1), 2, undefined)];
    expect(checkLinearizability([...base, op(2, get(), 5, 6, got(1, 'v1', 1))]).ok).toBe(true);
    // Unknown revision: the read reveals it (7), and a CAS on it then succeeds.
    const seen = [...base, op(2, get(), 5, 6, got(7, 'v2', 7)), op(2, update('v3', 7), 8, 9, ok(9))];
    expect(checkLinearizability(seen).ok).toBe(true);
    // Once seen, the old value cannot come back.
    const flip = [...base, op(2, get(), 5, 6, got(7, 'v2', 7)), op(2, get(), 7, 8, got(7, 'v1', 1))];
    expect(checkLinearizability(flip).ok).toBe(false);
    // A never-observed timed-out write is fine.
    expect(checkLinearizability([op(1, create('x'), 0, undefined)]).ok).toBe(true);
  });

  it('remembers revisions ruled out by failed CAS while a revision is unknown', () => {
    const h = [
      op(1, create('v1'), 0, 1, ok(1)),
      op(1, update('v2', 1), 2, undefined),
      op(2, update('v3', 1), 3, 4, fail(8)), // proves v2 was written before this
      op(2, update('v4', 5), 5, 6, fail(8)), // so v2's revision is not 5
      op(2, get(), 7, 8, got(8, 'v2', 5)),
    ];
    expect(checkLinearizability(h).ok).toBe(false);
    h[4] = op(2, get(), 7, 8, got(8, 'v2', 6));
    expect(checkLinearizability(h).ok).toBe(true);
  });

  it('rejects two successful creates and a CAS on the wrong revision', () => {
    expect(checkLinearizability([op(1, create('v1'), 0, 1, ok(1)), op(2, create('v2'), 2, 3, ok(2))]).ok).toBe(false);
    expect(checkLinearizability([op(1, create('v1'), 0, 1, ok(1)), op(2, update('v2', 3), 2, 3, ok(4))]).ok).toBe(false);
    // Concurrent creates: exactly one may win.
    const race = [op(1, create('v1'), 0, 5, ok(1)), op(2, create('v2'), 1, 6, fail(1))];
    expect(checkLinearizability(race).ok).toBe(true);
  });

  it('rejects per-key revisions that go backwards', () => {
    const h = [op(1, create('v1'), 0, 1, ok(5)), op(1, update('v2', 5), 2, 3, ok(4))];
    expect(checkLinearizability(h).ok).toBe(false);
  });

  it('checks revisions across keys: duplicates and cross-key stale reads', () => {
    const dup = [op(1, create('v1', 'a'), 0, 1, ok(1)), op(2, create('v1', 'b'), 2, 3, ok(1))];
    expect(checkLinearizability(dup).ok).toBe(false);
    // Key b was never written, so its own partition is fine; but the read's revision 0 predates rev 1.
    const stale = [op(1, create('v1', 'a'), 0, 1, ok(1)), op(2, get('b'), 2, 3, got(0))];
    const r = checkLinearizability(stale);
    expect(r.ok).toBe(false);
    expect(r.violations[0]!.key).toBe('*');
    const fresh = [op(1, create('v1', 'a'), 0, 1, ok(1)), op(2, get('b'), 2, 3, got(1))];
    expect(checkLinearizability(fresh).ok).toBe(true);
  });
});

describe('checkLinearizability: generated histories', () => {
  it('accepts 50 random linearizable histories and rejects each one with a stale read injected', () => {
    let caught = 0;
    let corrupted = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const rand = seededRand(seed);
      const h = generateHistory(rand, 5, 60, ['a', 'b', 'c']).history;
      const r = checkLinearizability(h);
      expect(r.ok, `seed ${seed}: ${r.violations.map((v) => v.message).join('\n')}`).toBe(true);
      // Inject staleness: after a successful update returned, a read returns the value it replaced.
      const writtenAt = new Map<number, string>();
      for (const o of h) {
        if (o.output?.kind === 'write' && o.output.succeeded && o.input.kind !== 'delete' && o.input.kind !== 'get') {
          writtenAt.set(o.output.revision, o.input.value);
        }
      }
      const upd = h.find(
        (o) => o.input.kind === 'update' && o.output?.kind === 'write' && o.output.succeeded && writtenAt.has(o.input.expectedModRevision),
      );
      if (!upd || upd.input.kind !== 'update' || upd.ret === undefined) continue;
      const prior = writtenAt.get(upd.input.expectedModRevision)!;
      const stale: HistoryOp = {
        id: 10_000,
        client: 99,
        input: { kind: 'get', key: upd.input.key },
        call: upd.ret + 0.0001,
        ret: upd.ret + 0.0002,
        // A huge header revision passes the global revision-order check: only the per-key search can catch it.
        output: { kind: 'get', revision: 1_000_000, kv: { value: prior, modRevision: upd.input.expectedModRevision } },
      };
      corrupted++;
      const r2 = checkLinearizability([...h, stale]);
      if (!r2.ok && r2.violations.some((v) => v.key === upd.input.key)) caught++;
    }
    expect(corrupted).toBeGreaterThan(40);
    expect(caught).toBe(corrupted);
  });

  it('checks a 2,000-op history with 8 concurrent clients quickly', () => {
    const h = generateHistory(seededRand(7), 8, 250, ['a', 'b', 'c', 'd', 'e']).history;
    const t0 = performance.now();
    const r = checkLinearizability(h);
    expect(r.ok).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
