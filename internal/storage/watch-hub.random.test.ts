import { describe, expect, it } from 'vitest';
import { seededRand, type Rand } from '../util/index.js';
import type { WatchBatch, WatchEvent } from './backend.js';
import { isStorageError } from './errors.js';
import { WatchHub } from './watch-hub.js';

interface Probe {
  prefix: string;
  start: number;
  it: AsyncIterator<WatchBatch>;
  got: WatchEvent[];
  lastBatch: number;
  error?: unknown;
  ended: boolean;
  pending?: Promise<IteratorResult<WatchBatch>>;
}

/**
 * Random schedules of publishes (some revisions with several events), compactions, watcher starts
 * and partial consumption, with a tiny ring, small batches and small queues. Every stream must be an
 * exact, revision-atomic slice of the history after its start, or that slice's prefix followed by a
 * Compacted error.
 */
describe('WatchHub randomized schedules', () => {
  for (const seed of [11, 12, 13, 14, 15, 16]) {
    it(`seed ${seed}`, async () => {
      const rand = seededRand(seed);
      const log: WatchEvent[] = [];
      const hub = new WatchHub({
        revision: 0,
        compactRevision: 0,
        ringMaxEvents: 6,
        maxBatchEvents: 3,
        watcherMaxEvents: 40,
        readHistory: (prefix, after, until, limit) => {
          const out: WatchEvent[] = [];
          for (const e of log) {
            const r = e.kv.modRevision;
            if (r <= after || r > until) continue;
            if (out.length >= limit && r !== out[out.length - 1]!.kv.modRevision) break;
            if (e.kv.key.startsWith(prefix)) out.push(e);
          }
          return out;
        },
      });
      const probes: Probe[] = [];
      let rev = 0;
      for (let step = 0; step < 400; step++) {
        const roll = rand();
        if (roll < 0.45) {
          rev++;
          const n = rand() < 0.2 ? 2 + Math.floor(rand() * 3) : 1;
          const evs = Array.from({ length: n }, () => event(rev, pick(rand, ['/a/', '/b/', '/a/x/']) + Math.floor(rand() * 5)));
          log.push(...evs);
          hub.publish(evs, rev);
        } else if (roll < 0.47 && rev > 3) {
          hub.setCompactRevision(rev - 1 - Math.floor(rand() * 3));
        } else if (roll < 0.6) {
          // Mostly inside the history window, sometimes below it or in the future.
          const lo = rand() < 0.1 ? 0 : hub.compactRevision;
          const start = rand() < 0.2 ? 0 : lo + Math.floor(rand() * (rev - lo + 3));
          const prefix = pick(rand, ['/', '/a/', '/b/', '/a/x/']);
          const it = hub.watch(prefix, { afterRevision: start, signal: new AbortController().signal })[Symbol.asyncIterator]();
          probes.push({ prefix, start: start || rev, it, got: [], lastBatch: 0, ended: false });
        } else {
          const live = probes.filter((p) => !p.ended);
          if (live.length) await consume(pick(rand, live), 1 + Math.floor(rand() * 3));
        }
      }
      for (const p of probes) await consume(p, Infinity);
      let complete = 0;
      for (const p of probes) {
        const expected = log.filter((e) => e.kv.modRevision > p.start && e.kv.key.startsWith(p.prefix));
        if (p.error === undefined) {
          expect(p.got).toEqual(expected);
          complete++;
        } else {
          expect(isStorageError(p.error, 'Compacted')).toBe(true);
          expect(p.got).toEqual(expected.slice(0, p.got.length));
        }
      }
      expect(complete).toBeGreaterThan(0);
    });
  }
});

const BLOCKED = Symbol('blocked');

/** Reads up to n batches without ever waiting on the hub (a read that would block stays pending). */
async function consume(p: Probe, n: number): Promise<void> {
  for (let i = 0; i < n && !p.ended; i++) {
    p.pending ??= p.it.next();
    let r: IteratorResult<WatchBatch> | typeof BLOCKED;
    try {
      r = await Promise.race([p.pending, new Promise<typeof BLOCKED>((res) => setImmediate(() => res(BLOCKED)))]);
    } catch (err) {
      p.error = err;
      p.ended = true;
      return;
    }
    if (r === BLOCKED) return;
    p.pending = undefined;
    if (r.done) {
      p.ended = true;
      return;
    }
    // Atomic batches: every event is newer than the previous batch's revision.
    for (const e of r.value.events) expect(e.kv.modRevision).toBeGreaterThan(p.lastBatch);
    p.lastBatch = r.value.revision;
    p.got.push(...r.value.events);
  }
}

function event(rev: number, key: string): WatchEvent {
  return { type: 'put', kv: { key, value: new Uint8Array(4), createRevision: rev, modRevision: rev, version: 1, lease: 0 } };
}

const pick = <T>(rand: Rand, xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
