import { describe, expect, it } from 'vitest';
import type { Op } from '../../internal/storage/index.js';
import { seededRand } from '../../internal/util/index.js';
import { createSimStateMachine } from './kv-state-machine.js';
import { replayCommitted } from './reference-replay.js';
import { toCheckEvent } from './watch-checker.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('createSimStateMachine', () => {
  it('assigns revisions at apply, one per successful write, and applies each index once', () => {
    const sm = createSimStateMachine();
    const out = sm.apply(1, [
      { op: 'create', key: 'a', value: enc('1'), lease: 0 },
      { op: 'create', key: 'a', value: enc('2'), lease: 0 },
      { op: 'update', key: 'a', value: enc('3'), expectedModRevision: 1, lease: 0 },
    ])!;
    expect(out.revision).toBe(2);
    expect(out.results.map((r) => ('result' in r ? r.result.succeeded : null))).toEqual([true, false, true]);
    expect(out.results[1]).toMatchObject({ error: 'KeyExists' });
    expect(sm.apply(1, [{ op: 'delete', key: 'a' }])).toBeNull();
    expect(sm.get('a')).toMatchObject({ modRevision: 2, createRevision: 1, version: 2 });
    const del = sm.apply(2, [{ op: 'delete', key: 'a', expectedModRevision: 1 }, { op: 'delete', key: 'a', expectedModRevision: 2 }])!;
    expect(del.results.map((r) => ('result' in r ? r.result.succeeded : null))).toEqual([false, true]);
    expect(sm.get('a')).toBeUndefined();
    expect(sm.appliedIndex()).toBe(2);
    expect(sm.eventsAfter(1).map((e) => e.kv.modRevision)).toEqual([2, 3]);
  });

  it('produces the same events as the independent reference replay on random op logs', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = seededRand(seed);
      const sm = createSimStateMachine();
      const log: Op[][] = [];
      for (let i = 1; i <= 200; i++) {
        const key = `k${Math.floor(rand() * 4)}`;
        const r = rand();
        const expectedModRevision = Math.floor(rand() * sm.revision() + 1);
        const op: Op =
          r < 0.3
            ? { op: 'create', key, value: enc(`v${i}`), lease: 0 }
            : r < 0.7
              ? { op: 'update', key, value: enc(`v${i}`), expectedModRevision: sm.get(key)?.modRevision ?? 0, lease: 0 }
              : r < 0.85
                ? { op: 'delete', key, expectedModRevision }
                : { op: 'delete', key };
        log.push([op]);
        sm.apply(i, [op]);
      }
      expect(sm.eventsAfter(0).map(toCheckEvent)).toEqual(replayCommitted(log));
      const restored = createSimStateMachine(sm.snapshotData());
      expect(restored.appliedIndex()).toBe(200);
      expect(restored.revision()).toBe(sm.revision());
      expect(restored.eventsAfter(0).map(toCheckEvent)).toEqual(replayCommitted(log));
      for (const k of ['k0', 'k1', 'k2', 'k3']) expect(restored.get(k)).toEqual(sm.get(k));
    }
  });
});
