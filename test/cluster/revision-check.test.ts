import { describe, expect, it } from 'vitest';
import { seededRand } from '../../internal/util/index.js';
import { create, del, fail, generateHistory, get, got, ok, op, update } from './history-gen.js';
import { checkLinearizability } from './linearizability.js';
import { checkByRevisions, type RevisionEvent } from './revision-check.js';

const put = (revision: number, value: string, key = 'a'): RevisionEvent => ({ revision, key, type: 'put', value });
const gone = (revision: number, key = 'a'): RevisionEvent => ({ revision, key, type: 'delete', value: '' });

describe('checkByRevisions: known histories', () => {
  it('decides a sequential history with every revision known', () => {
    const h = [
      op(1, create('v1'), 0, 1, ok(1)),
      op(2, update('v2', 1), 2, 3, ok(2)),
      op(1, update('v3', 1), 4, 5, fail(2)),
      op(2, del(2), 6, 7, ok(3)),
      op(1, get(), 8, 9, got(3)),
    ];
    const r = checkByRevisions(h, [put(1, 'v1'), put(2, 'v2'), gone(3)]);
    expect(r).toMatchObject({ verdict: 'ok', violations: [] });
  });

  it('fails a stale read: the read started after revision 2 returned but shows revision 1', () => {
    const h = [op(1, create('v1'), 0, 1, ok(1)), op(1, update('v2', 1), 2, 3, ok(2)), op(2, get(), 4, 5, got(1, 'v1', 1))];
    const r = checkByRevisions(h, []);
    expect(r.verdict).toBe('fail');
    expect(r.violations[0]).toMatch(/goes back in real time/);
  });

  it('fails a read whose value is not the state at its header revision', () => {
    const h = [op(1, create('v1'), 0, 1, ok(1)), op(1, update('v2', 1), 2, 3, ok(2)), op(2, get(), 4, 5, got(2, 'v1', 1))];
    expect(checkByRevisions(h, []).violations[0]).toMatch(/at revision 2 a was v2@2/);
  });

  it('places a timed-out write at the revision a watch shows, and checks its call against real time', () => {
    const base = [op(1, create('v1'), 0, 1, ok(1)), op(2, update('v2', 1), 2, undefined), op(1, get(), 10, 11, got(2, 'v2', 2))];
    expect(checkByRevisions(base, [put(2, 'v2')]).verdict).toBe('ok');
    // The same write called only after an operation that returned at revision 2 cannot be revision 2.
    const late = [op(1, create('v1'), 0, 1, ok(1)), op(1, get(), 2, 3, got(1, 'v1', 1)), op(3, create('x', 'b'), 4, 5, ok(2)), op(2, update('v2', 1), 6, undefined)];
    const r = checkByRevisions(late, [put(1, 'v1'), put(2, 'v2'), put(3, 'x', 'b')]);
    expect(r.verdict).toBe('fail');
  });

  it('gives a retried write the earliest unanswered attempt; the failed retry then fails rightly', () => {
    const h = [
      op(1, create('v1'), 0, 1, ok(1)),
      op(2, update('v2', 1), 2, undefined), // took effect at 2
      op(2, update('v2', 1), 5, 6, fail(2)), // the retry finds mod 2, not 1
    ];
    expect(checkByRevisions(h, [put(1, 'v1'), put(2, 'v2')]).verdict).toBe('ok');
    // Without the unanswered attempt, nothing could have written v2.
    const noAttempt = [h[0]!, h[2]!];
    expect(checkByRevisions(noAttempt, [put(1, 'v1'), put(2, 'v2')]).violations[0]).toMatch(/no unanswered write of that value/);
  });

  it('fails an acknowledged write that a watch shows differently (a lost or rewritten write)', () => {
    const h = [op(1, create('v1'), 0, 1, ok(1)), op(2, create('w', 'b'), 2, 3, ok(2))];
    expect(checkByRevisions(h, [put(1, 'v1'), put(2, 'other', 'b')]).verdict).toBe('fail');
  });

  it('fails a CAS that failed although its condition held at its header revision', () => {
    const h = [op(1, create('v1'), 0, 1, ok(1)), op(2, update('v2', 1), 2, 3, fail(1))];
    expect(checkByRevisions(h, [put(1, 'v1')]).violations[0]).toMatch(/failed, but at revision 1 a was v1@1/);
  });

  it('matches unanswered deletes to delete revisions by augmenting paths, not greedily', () => {
    // a: created at 1, deleted at 2, created at 4, deleted at 5. D1 (unconditional) could make either
    // delete; D2 (if mod=1) only the first. Greedy would give revision 2 to D1 and strand revision 5.
    const h = [
      op(1, create('v1'), 0, 1, ok(1)),
      op(3, del(), 2, undefined), // D1
      op(4, del(1), 2.5, undefined), // D2
      op(5, create('x', 'b'), 3, 4, ok(3)),
      op(1, create('v2'), 5, 6, ok(4)),
      op(1, get(), 9, 10, got(5)),
    ];
    expect(checkByRevisions(h, [put(1, 'v1'), gone(2), put(3, 'x', 'b'), put(4, 'v2'), gone(5)])).toMatchObject({ verdict: 'ok' });
    // With D2 asking for mod 4, only D1 fits either revision: one delete is unexplained.
    h[2] = op(4, del(7), 2.5, undefined);
    expect(checkByRevisions(h, [put(1, 'v1'), gone(2), put(3, 'x', 'b'), put(4, 'v2'), gone(5)]).verdict).toBe('fail');
  });

  it('is undecided while a revision is unknown, and checkLinearizability then searches', () => {
    const h = [op(1, create('v1'), 0, 1, ok(1)), op(2, create('w', 'b'), 2, undefined), op(1, update('v2', 1), 3, 4, ok(3))];
    expect(checkByRevisions(h, []).verdict).toBe('undecided');
    expect(checkByRevisions(h, []).unknownRevisions).toBe(1);
    expect(checkLinearizability(h, { events: [] })).toMatchObject({ ok: true, method: 'search' });
    expect(checkLinearizability(h, { events: [put(2, 'w', 'b')] })).toMatchObject({ ok: true, method: 'revisions' });
  });
});

describe('checkByRevisions: generated histories', () => {
  it('decides 200 random linearizable histories and fails each with a stale read or a flipped CAS injected', () => {
    let injected = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { history, events } = generateHistory(seededRand(seed), 6, 80, ['a', 'b', 'c']);
      const r = checkByRevisions(history, events);
      expect(r.verdict, `seed ${seed}: ${r.violations.join('\n')}`).toBe('ok');
      // Stale read: right after a successful update returned, a read served at the revision before it.
      const upd = history.find((o) => o.input.kind === 'update' && o.output?.kind === 'write' && o.output.succeeded && o.ret !== undefined);
      if (upd?.output && upd.ret !== undefined && upd.input.kind === 'update') {
        const prev = upd.output.revision - 1;
        const stale = op(99, get(upd.input.key), upd.ret + 0.0001, upd.ret + 0.0002, got(prev));
        expect(checkByRevisions([...history, stale], events).verdict, `seed ${seed}`).toBe('fail');
        injected++;
      }
      // Flipped outcome: a successful write reported as failed (its event remains: nobody else wrote it).
      const w = history.find((o) => o.input.kind === 'create' && o.output?.kind === 'write' && o.output.succeeded);
      if (w?.output) {
        const flipped = history.map((o) => (o === w ? { ...o, output: fail(w.output!.revision) } : o));
        expect(checkByRevisions(flipped, events).verdict, `seed ${seed}`).toBe('fail');
      }
    }
    expect(injected).toBeGreaterThan(150);
  });

  it('agrees with the search on small generated histories', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const { history, events } = generateHistory(seededRand(1000 + seed), 3, 15, ['a']);
      expect(checkLinearizability(history, { events }).ok).toBe(true);
      expect(checkLinearizability(history).ok).toBe(true);
    }
  });
});
