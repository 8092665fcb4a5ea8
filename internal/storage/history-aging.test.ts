import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/index.js';
import type { WatchEvent } from './backend.js';
import { ageHistory } from './history-aging.js';
import { WatchRing } from './watch-ring.js';
import { CacheState } from './watchcache/cache-state.js';

const ev = (rev: number, key = '/k'): WatchEvent => ({
  type: 'put',
  kv: { key, value: new Uint8Array(8), createRevision: rev, modRevision: rev, version: 1, lease: 0 },
});

describe('ageHistory', () => {
  it('passes on the revision noted two periods earlier, and stops', () => {
    const clock = new FakeClock();
    let rev = 0;
    const trimmed: number[] = [];
    const stop = ageHistory(clock, 100, () => rev, (r) => trimmed.push(r));
    rev = 5;
    clock.advance(100); // notes 5
    rev = 9;
    clock.advance(100); // notes 9
    expect(trimmed).toEqual([]);
    rev = 12;
    clock.advance(100); // notes 12: everything through 5 is now at least 200 ms old
    expect(trimmed).toEqual([5]);
    clock.advance(100);
    expect(trimmed).toEqual([5, 9]);
    stop();
    clock.advance(1000);
    expect(trimmed).toEqual([5, 9]);
  });
});

describe('WatchRing.trimThrough', () => {
  it('drops whole revisions up to the given one, keeping at least `keep` events', () => {
    const ring = new WatchRing(0, 1000, 1 << 20);
    ring.append([ev(1), ev(2), ev(2, '/j'), ev(3), ev(4), ev(5)]);
    ring.trimThrough(2, 1);
    expect(ring.stats()).toMatchObject({ events: 3, floor: 2 });
    expect(ring.read('/', 2, 100, 5).events.map((e) => e.kv.modRevision)).toEqual([3, 4, 5]);
    // Through 5, but the newest two stay: eviction stops once only `keep` would remain.
    ring.trimThrough(5, 2);
    expect(ring.stats()).toMatchObject({ events: 2, floor: 3 });
  });
});

describe('CacheState.trimThrough', () => {
  it('moves ringStart with the dropped revisions; later changes still replay', () => {
    const state = new CacheState(1000);
    state.reset([], 0);
    for (let r = 1; r <= 6; r++) state.apply({ key: `/k${r}`, revision: r, object: { metadata: { name: `k${r}` } } });
    state.trimThrough(4, 1);
    expect(state.ringStart).toBe(4);
    expect(state.changesAfter(3)).toBeUndefined();
    expect(state.changesAfter(4)!.map((c) => c.revision)).toEqual([5, 6]);
    state.trimThrough(6, 1);
    expect(state.changesAfter(5)!.map((c) => c.revision)).toEqual([6]);
    // The objects themselves stay: only the history of changes is aged.
    expect(state.size).toBe(6);
  });
});
