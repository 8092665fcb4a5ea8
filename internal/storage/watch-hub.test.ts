import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/index.js';
import type { WatchBatch, WatchEvent } from './backend.js';
import { isStorageError } from './errors.js';
import { WatchHub, type WatchHubOptions } from './watch-hub.js';

const ev = (rev: number, key: string): WatchEvent => ({
  type: 'put',
  kv: { key, value: new Uint8Array(8), createRevision: rev, modRevision: rev, version: 1, lease: 0 },
});

/** A hub plus the full history it was fed, so the history reader is exact. */
function harness(opts: Partial<WatchHubOptions> = {}) {
  const log: WatchEvent[] = [];
  let reads = 0;
  const hub = new WatchHub({
    revision: 0,
    compactRevision: 0,
    readHistory: (prefix, after, until, limit) => {
      reads++;
      const out: WatchEvent[] = [];
      for (const e of log) {
        const r = e.kv.modRevision;
        if (r <= after || !e.kv.key.startsWith(prefix)) continue;
        if (r > until || (out.length >= limit && r !== out[out.length - 1]!.kv.modRevision)) break;
        out.push(e);
      }
      return out;
    },
    ...opts,
  });
  const publish = (...events: WatchEvent[]) => {
    log.push(...events);
    hub.publish(events, Math.max(hub.revision, ...events.map((e) => e.kv.modRevision)));
  };
  // The store changed without the hub seeing it (a snapshot install): history only.
  const publishSilently = (...events: WatchEvent[]) => log.push(...events);
  return { hub, publish, publishSilently, reads: () => reads };
}

async function take(it: AsyncIterator<WatchBatch>, n: number): Promise<WatchBatch[]> {
  const out: WatchBatch[] = [];
  let events = 0;
  while (events < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
    events += r.value.events.length;
  }
  return out;
}

const revs = (bs: WatchBatch[]) => bs.flatMap((b) => b.events.map((e) => e.kv.modRevision));
const open = (hub: WatchHub, prefix: string, afterRevision: number, extra: { progressIntervalMs?: number; progressRepeatMs?: number } = {}) =>
  hub.watch(prefix, { afterRevision, signal: new AbortController().signal, ...extra })[Symbol.asyncIterator]();

describe('WatchHub', () => {
  it('catches up from history older than the ring, then the ring, then live, without gaps', async () => {
    const h = harness({ ringMaxEvents: 5, maxBatchEvents: 4 });
    for (let r = 1; r <= 20; r++) h.publish(ev(r, `/a/${r % 3}`));
    const it = open(h.hub, '/a/', 2);
    const first = await take(it, 4);
    expect(h.reads()).toBeGreaterThan(0);
    // Live events published while the watcher is still catching up are picked up from the ring.
    for (let r = 21; r <= 25; r++) h.publish(ev(r, `/a/${r % 3}`));
    const rest = await take(it, 23 - revs(first).length);
    expect(revs([...first, ...rest])).toEqual(Array.from({ length: 23 }, (_, i) => i + 3));
    h.publish(ev(26, '/a/x'));
    expect(revs(await take(it, 1))).toEqual([26]);
  });

  it('never splits a revision across batches, even when it exceeds maxBatchEvents', async () => {
    const h = harness({ maxBatchEvents: 2 });
    h.publish(ev(1, '/k/a'));
    h.publish({ ...ev(2, '/k/b') }, { ...ev(2, '/k/c') }, { ...ev(2, '/k/d') });
    h.publish(ev(3, '/k/e'));
    const it = open(h.hub, '/k/', 1);
    const got = await take(it, 4);
    for (const b of got) {
      const rs = new Set(b.events.map((e) => e.kv.modRevision));
      for (const other of got) if (other !== b) for (const e of other.events) expect(rs.has(e.kv.modRevision)).toBe(false);
    }
    expect(revs(got)).toEqual([2, 2, 2, 3]);
  });

  it('without a history reader, a start older than the ring is Compacted', async () => {
    const hub = new WatchHub({ revision: 0, compactRevision: 0, ringMaxEvents: 2 });
    for (let r = 1; r <= 5; r++) hub.publish([ev(r, '/x')], r);
    await expect(open(hub, '/', 1).next()).rejects.toSatisfy((e) => isStorageError(e, 'Compacted'));
    expect(revs(await take(open(hub, '/', 3), 2))).toEqual([4, 5]);
  });

  it('a start below the compaction point is Compacted even when the ring still has it', async () => {
    const h = harness();
    for (let r = 1; r <= 5; r++) h.publish(ev(r, '/x'));
    h.hub.setCompactRevision(4);
    await expect(open(h.hub, '/', 3).next()).rejects.toSatisfy((e) => isStorageError(e, 'Compacted'));
  });

  it('an overflowing watcher fails alone', async () => {
    const h = harness({ watcherMaxEvents: 3 });
    const slow = open(h.hub, '/', 0);
    const fast = open(h.hub, '/', 0);
    const got: number[] = [];
    for (let r = 1; r <= 6; r++) {
      h.publish(ev(r, '/k'));
      got.push(...revs(await take(fast, 1)));
    }
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(slow.next()).rejects.toSatisfy((e) => isStorageError(e, 'Compacted'));
    expect((await slow.next()).done).toBe(true);
    expect(h.hub.stats().watchers).toBe(1);
  });

  it('merges queued batches for a consumer that fell a little behind', async () => {
    const h = harness();
    const it = open(h.hub, '/', 0);
    for (let r = 1; r <= 5; r++) h.publish(ev(r, '/k'));
    const b = await it.next();
    expect(b.value).toMatchObject({ revision: 5 });
    expect(revs([b.value as WatchBatch])).toEqual([1, 2, 3, 4, 5]);
  });

  it('sends progress only while live and idle, at the hub revision', async () => {
    const clock = new FakeClock();
    const h = harness({ clock });
    h.publish(ev(1, '/other'));
    const it = open(h.hub, '/mine/', 0, { progressIntervalMs: 100 });
    const pending = it.next();
    clock.advance(100);
    expect((await pending).value).toEqual({ revision: 1, events: [] });
    h.publish(ev(2, '/mine/a'));
    expect(revs([(await it.next()).value as WatchBatch])).toEqual([2]);
    h.publish(ev(3, '/other'));
    const next = it.next();
    clock.advance(100); // delivered in this interval: no progress yet
    clock.advance(100);
    expect((await next).value).toEqual({ revision: 3, events: [] });
  });

  it('with progressRepeatMs, repeats a revision the watcher already has only that often', async () => {
    const clock = new FakeClock();
    const h = harness({ clock });
    h.publish(ev(1, '/other'));
    // Started after revision 1, so it knows 1: nothing to tell until the heartbeat is due.
    const it = open(h.hub, '/mine/', 1, { progressIntervalMs: 100, progressRepeatMs: 1000 });
    let got: WatchBatch | undefined;
    const first = it.next().then((r) => (got = r.value as WatchBatch));
    clock.advance(900);
    await Promise.resolve();
    expect(got).toBeUndefined();
    clock.advance(100);
    await first;
    expect(got).toEqual({ revision: 1, events: [] });
    // A revision it has not been told is news at the next interval (the one after a delivery).
    const next = it.next();
    h.publish(ev(2, '/other'));
    clock.advance(200);
    expect((await next).value).toEqual({ revision: 2, events: [] });
  });

  it('ages a quiet ring: old events leave memory, and a watcher from before them reads history', async () => {
    const clock = new FakeClock();
    const h = harness({ clock, ringMaxAgeMs: 1000 });
    for (let r = 1; r <= 150; r++) h.publish(ev(r, '/a/x'));
    expect(h.hub.stats().ringEvents).toBe(150);
    clock.advance(1500); // noted at 500, 1000, 1500: the events from before 500 ms go
    expect(h.hub.stats().ringEvents).toBe(100); // HISTORY_MIN_EVENTS stay
    const it = open(h.hub, '/a/', 10);
    const got = await take(it, 140);
    expect(h.reads()).toBeGreaterThan(0);
    expect(revs(got)).toEqual(Array.from({ length: 140 }, (_, i) => i + 11));
    h.hub.close();
  });

  it('after reset (snapshot install) watchers catch up from the new history, or get Compacted', async () => {
    const h = harness();
    h.publish(ev(1, '/k'));
    const behind = open(h.hub, '/', 0);
    const waiting = behind.next();
    // The store jumped to revision 4 (history 2..4 now readable from the store, not published).
    const jumped = [ev(2, '/k'), ev(3, '/k'), ev(4, '/k')];
    h.publishSilently(...jumped);
    h.hub.reset(4, 0);
    expect(revs([(await waiting).value as WatchBatch])).toEqual([2, 3, 4]);
    h.publish(ev(5, '/k'));
    expect(revs([(await behind.next()).value as WatchBatch])).toEqual([5]);
    const old = open(h.hub, '/', 5);
    h.publishSilently(ev(6, '/k'), ev(7, '/k'));
    h.hub.reset(7, 6);
    await expect(old.next()).rejects.toSatisfy((e) => isStorageError(e, 'Compacted'));
  });

  it('abort, return() and close() end iterators; watch after close is Unavailable', async () => {
    const h = harness();
    const ac = new AbortController();
    const a = h.hub.watch('/', { afterRevision: 0, signal: ac.signal })[Symbol.asyncIterator]();
    const pending = a.next();
    ac.abort();
    expect((await pending).done).toBe(true);
    const b = open(h.hub, '/', 0);
    await b.return!();
    expect((await b.next()).done).toBe(true);
    const c = open(h.hub, '/', 0);
    const waiting = c.next();
    h.hub.close();
    expect((await waiting).done).toBe(true);
    expect(h.hub.stats().watchers).toBe(0);
    await expect(open(h.hub, '/', 0).next()).rejects.toSatisfy((e) => isStorageError(e, 'Unavailable'));
  });
});
