import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRand, type Rand } from '../../util/index.js';
import type { Backend, KeyValue, WatchEvent, WriteResult } from '../backend.js';
import { isStorageError } from '../errors.js';
import { bytes, expectWellFormedStream, summary, uniquePrefix, WatchRecorder, type BackendConformanceOptions, type MakeBackend } from './helpers.js';

/**
 * Randomized history check: many concurrent writers on a few keys, two watchers (one from the start,
 * one joining mid-way). The merged event history must replay into the final state, account for
 * every successful write exactly once, carry correct prevKv, and agree with reads at past revisions.
 */
export function propertySuite(make: MakeBackend, opts: BackendConformanceOptions): void {
  describe('randomized history', () => {
    let b: Backend;
    let p: string;
    let ac: AbortController;
    beforeEach(async () => {
      b = await make();
      p = uniquePrefix();
      ac = new AbortController();
      // Revision 0 means "now" to watch; start past it.
      await b.create(p + '~warmup', bytes(''));
      await b.delete(p + '~warmup');
    });
    afterEach(async () => {
      ac.abort();
      await b.close();
    });

    for (const seed of [1, 2, 3]) {
      it(`seed ${seed}: history replays into the final state`, async () => {
        const rand = seededRand(seed);
        const total = opts.randomOps ?? 400;
        const { revision: r0 } = await b.currentRevision();
        const first = new WatchRecorder(b.watch(p, { afterRevision: r0, signal: ac.signal }));
        const writes: WriteResult[] = [];
        let issued = 0;
        let late: WatchRecorder | undefined;
        let lateFrom = 0;
        const worker = async () => {
          while (issued < total) {
            const i = issued++;
            if (i === total >> 1) {
              lateFrom = (await b.currentRevision()).revision - 3;
              late = new WatchRecorder(b.watch(p, { afterRevision: Math.max(r0, lateFrom), signal: ac.signal }));
            }
            const res = await randomOp(b, p, rand, i);
            if (res?.succeeded) writes.push(res);
          }
        };
        await Promise.all(Array.from({ length: 16 }, worker));
        const { revision: end } = await b.currentRevision();
        // One revision per successful write, nothing else.
        expect(end - r0).toBe(writes.length);
        expect(new Set(writes.map((w) => w.revision)).size).toBe(writes.length);
        await first.until(() => lastRev(first.events) >= end, 10_000, 'first watcher');
        await late!.until(() => lastRev(late!.events) >= end, 10_000, 'late watcher');
        expectWellFormedStream(first.batches);
        expectWellFormedStream(late!.batches);
        const events = first.events;
        expect(events.map((e) => e.kv.modRevision)).toEqual(range(r0 + 1, end));
        expect(late!.events).toEqual(events.filter((e) => e.kv.modRevision > Math.max(r0, lateFrom)));
        const states = replay(events, r0);
        const final = await b.list(p);
        expect(final.kvs.map(summary)).toEqual(sorted(states.get(end)!).map(summary));
        for (let k = 0; k < 5; k++) {
          const at = r0 + Math.floor(rand() * (end - r0 + 1));
          const past = await b.list(p, { revision: at });
          expect(past.kvs.map(summary), `list at ${at}`).toEqual(sorted(states.get(at)!).map(summary));
        }
      });
    }
  });
}

async function randomOp(b: Backend, p: string, rand: Rand, i: number): Promise<WriteResult | undefined> {
  const key = `${p}k${Math.floor(rand() * 6)}`;
  const roll = rand();
  try {
    if (roll < 0.35) return await b.create(key, bytes(`c${i}`));
    const cur = (await b.get(key)).kv;
    if (roll < 0.8) return await b.update(key, bytes(`u${i}`), cur?.modRevision ?? 1);
    if (roll < 0.9) return await b.delete(key, { expectedModRevision: cur?.modRevision });
    return await b.delete(key);
  } catch (err) {
    if (isStorageError(err, 'KeyExists')) return undefined;
    throw err;
  }
}

/** State after each revision, checking every event's prevKv against the state before it (W7). */
function replay(events: WatchEvent[], r0: number): Map<number, Map<string, KeyValue>> {
  const states = new Map<number, Map<string, KeyValue>>();
  let state = new Map<string, KeyValue>();
  states.set(r0, state);
  for (const ev of events) {
    const before = state.get(ev.kv.key);
    expect(summary(ev.prevKv), `prevKv at ${ev.kv.modRevision}`).toEqual(summary(before));
    state = new Map(state);
    if (ev.type === 'put') state.set(ev.kv.key, ev.kv);
    else state.delete(ev.kv.key);
    states.set(ev.kv.modRevision, state);
  }
  return states;
}

const sorted = (m: Map<string, KeyValue>) => [...m.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
const lastRev = (evs: WatchEvent[]) => (evs.length ? evs[evs.length - 1]!.kv.modRevision : 0);
const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
