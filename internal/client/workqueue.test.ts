import { describe, expect, it } from 'vitest';
import { FakeClock } from '../util/index.js';
import { runWorkers, WorkQueue } from './workqueue.js';

describe('WorkQueue', () => {
  it('deduplicates keys that wait, and hands them out in order', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    expect(q.length).toBe(3);
    expect([await q.get(), await q.get(), await q.get()]).toEqual(['a', 'b', 'c']);
  });

  it('never hands a key to a second worker while it is processed; a re-add runs after done()', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBeUndefined();
    q.done(first!);
    await Promise.resolve();
    expect(second).toBe('a');
  });

  it('backs off per key exponentially up to the cap, and forget() resets it', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 5, maxDelayMs: 30 });
    expect([q.when('a'), q.when('a'), q.when('a'), q.when('a'), q.when('a')]).toEqual([5, 10, 20, 30, 30]);
    expect(q.when('b')).toBe(5);
    q.forget('a');
    expect(q.numRequeues('a')).toBe(0);
    expect(q.when('a')).toBe(5);
  });

  it('addRateLimited queues the key only when its backoff passed; an earlier addAfter wins', () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, baseDelayMs: 100 });
    q.addRateLimited('a');
    q.addRateLimited('a');
    clock.advance(99);
    expect(q.length).toBe(0);
    clock.advance(1);
    expect(q.length).toBe(1);
    q.addAfter('b', 50);
    q.addAfter('b', 500);
    clock.advance(50);
    expect(q.length).toBe(2);
  });

  it('runWorkers: a failing key is retried with backoff, a succeeding one forgotten; abort ends the loops', async () => {
    const q = new WorkQueue({ baseDelayMs: 1 });
    const stop = new AbortController();
    const seen: string[] = [];
    const errors: string[] = [];
    let fails = 2;
    const done = runWorkers(q, 2, stop.signal, async (k) => {
      seen.push(k);
      if (k === 'bad' && fails-- > 0) throw new Error('boom');
      if (seen.filter((s) => s === 'bad').length === 3) stop.abort();
    }, (k) => errors.push(k));
    q.add('ok');
    q.add('bad');
    await done;
    expect(seen.filter((s) => s === 'bad')).toHaveLength(3);
    expect(errors).toEqual(['bad', 'bad']);
    expect(q.numRequeues('ok')).toBe(0);
    expect(await q.get()).toBeUndefined();
  });
});
