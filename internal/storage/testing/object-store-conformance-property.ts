import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import { seededRand } from '../../util/index.js';
import { isStorageError } from '../errors.js';
import type { ObjectEvent, SelectionPredicate } from '../object-store.js';
import type { FixtureRef } from './object-store-conformance.js';
import { cm, everythingPred, labelPred, openWatch, type OpenWatch } from './object-store-conformance-helpers.js';

const P = '/registry/configmaps/';

/** Applies a watcher's events to a map, checking the transitions a client relies on. */
function replay(initial: Map<string, KubeObject>, evs: ObjectEvent[]): Map<string, KubeObject> {
  const state = new Map(initial);
  let lastRv = 0;
  // Initial ADDED events carry each object's own RV in key order; after them RVs never go back.
  let initialPhase = true;
  for (const ev of evs) {
    const rv = Number(ev.object.metadata.resourceVersion);
    if (ev.type !== 'ADDED') initialPhase = false;
    if (!initialPhase) expect(rv).toBeGreaterThanOrEqual(lastRv);
    lastRv = Math.max(lastRv, rv);
    if (ev.type === 'BOOKMARK') continue;
    const name = ev.object.metadata.name!;
    if (ev.type === 'ADDED') expect(state.has(name), `ADDED ${name} twice`).toBe(false);
    else expect(state.has(name), `${ev.type} ${name} unseen`).toBe(true);
    if (ev.type === 'DELETED') state.delete(name);
    else state.set(name, ev.object);
  }
  return state;
}

function mapsEqual(a: Map<string, KubeObject>, b: Map<string, KubeObject>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k)?.metadata.resourceVersion !== v.metadata.resourceVersion) return false;
  return true;
}

/**
 * Randomised writes with several concurrent watchers (from "0", from an RV in the middle, with a
 * selector): each watcher's stream, replayed, must equal a LIST at the end with its predicate.
 * Mirrors the spirit of upstream's watch cache consistency checks.
 */
export function propertyTests(fx: FixtureRef): void {
  describe('watch streams agree with list', () => {
    for (const seed of [1, 2, 3]) {
      it(`seed ${seed}`, async () => {
        const rand = seededRand(seed);
        const names = Array.from({ length: 12 }, (_, i) => `n${i}`);
        const pick = () => names[Math.floor(rand() * names.length)]!;
        const label = () => ({ tier: rand() < 0.5 ? 'a' : 'b' });
        const step = async () => {
          const name = pick();
          const key = `${P}ns/${name}`;
          const r = rand();
          try {
            if (r < 0.4) await fx().store.create(key, cm(name, { v: String(rand()) }, label()));
            else if (r < 0.8) await fx().store.guaranteedUpdate(key, (o) => ({ ...o, metadata: { ...o.metadata, labels: label() }, data: { v: String(rand()) } }));
            else await fx().store.delete(key);
          } catch (err) {
            if (!isStorageError(err, 'KeyExists') && !isStorageError(err, 'KeyNotFound')) throw err;
          }
        };
        for (let i = 0; i < 20; i++) await step();
        const mid = (await fx().store.list(P, { predicate: everythingPred })).resourceVersion;
        const midState = new Map((await fx().store.list(P, { predicate: everythingPred })).items.map((o) => [o.metadata.name!, o]));
        const watches: [OpenWatch, SelectionPredicate, Map<string, KubeObject>][] = [
          [openWatch(fx().store, P, { resourceVersion: '' }), everythingPred, new Map()],
          [openWatch(fx().store, P, { resourceVersion: '', predicate: labelPred('tier', 'a') }), labelPred('tier', 'a'), new Map()],
          [openWatch(fx().store, P, { resourceVersion: mid }), everythingPred, midState],
          [openWatch(fx().store, P, { resourceVersion: '', sendInitialEvents: true, allowBookmarks: true }), everythingPred, new Map()],
        ];
        // Writes race with the watches' start; concurrency of 3 writers exercises CAS retries too.
        await Promise.all([0, 1, 2].map(async () => {
          for (let i = 0; i < 40; i++) await step();
        }));
        const final = await fx().store.list(P, { predicate: everythingPred });
        for (const [w, pred, initial] of watches) {
          const expected = new Map(final.items.filter((o) => pred.matches(o)).map((o) => [o.metadata.name!, o]));
          // Delivery is asynchronous: give the watcher a moment to catch up to the final list.
          const deadline = Date.now() + 3000;
          while (Date.now() < deadline && !mapsEqual(replay(initial, w.events), expected)) await new Promise((r) => setTimeout(r, 10));
          expect(replay(initial, w.events)).toEqual(expected);
          w.close();
        }
      });
    }
  });
}
