import { describe, expect, it } from 'vitest';
import { everything } from '../object-store.js';
import { CacheWatcher } from './cache-watcher.js';

const change = (rev: number) => ({ key: `/p/k${rev}`, revision: rev, object: { metadata: { name: `k${rev}` } } });

describe('CacheWatcher', () => {
  it('holds no delivered events once its consumer has drained the queue', async () => {
    const w = new CacheWatcher({ key: '/p/', recursive: true, predicate: everything, allowBookmarks: false, queueLimit: 100, queueBytesLimit: 1 << 20, bookmarkIntervalMs: 60_000, copy: (ev) => ev });
    const ac = new AbortController();
    const it = w.events(ac.signal);
    for (let r = 1; r <= 3; r++) w.push(change(r));
    const names = [];
    for (let i = 0; i < 3; i++) names.push(((await it.next()).value as { object: { metadata: { name: string } } }).object.metadata.name);
    expect(names).toEqual(['k1', 'k2', 'k3']);
    // White-box: the delivered events are no longer referenced by the watcher.
    expect((w as unknown as { queue: unknown[] }).queue).toHaveLength(0);
    w.push(change(4));
    expect(((await it.next()).value as { object: { metadata: { name: string } } }).object.metadata.name).toBe('k4');
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });
});

describe('CacheWatcher buffered bytes', () => {
  const big = (rev: number) => ({ ...change(rev), bytes: 400 });
  const opts = { key: '/p/', recursive: true, predicate: everything, allowBookmarks: false, queueLimit: 100, queueBytesLimit: 1000, bookmarkIntervalMs: 60_000 };

  it('a consumer that stops reading is cut with Compacted once its queued events pass the byte cap, and holds none of them', async () => {
    const w = new CacheWatcher(opts);
    const it = w.events(new AbortController().signal);
    w.push(big(1));
    w.push(big(2));
    // 800 bytes queued: under the cap (far under the count limit); a third 400-byte event passes it.
    expect((w as unknown as { queue: unknown[] }).queue).toHaveLength(2);
    w.push(big(3));
    expect((w as unknown as { queue: unknown[] }).queue).toHaveLength(0);
    await expect(it.next()).rejects.toMatchObject({ code: 'Compacted' });
  });

  it('a consumer that keeps up is never cut: delivered events no longer count', async () => {
    const w = new CacheWatcher(opts);
    const it = w.events(new AbortController().signal);
    for (let r = 1; r <= 20; r++) {
      w.push(big(r));
      w.push(big(r + 100));
      expect((await it.next()).done).toBe(false);
      expect((await it.next()).done).toBe(false);
    }
  });
});

describe('CacheWatcher fan-out', () => {
  it('hands every watcher that sees a change as the same type the same event (read-only, shared)', async () => {
    const opts = { key: '/p/', recursive: true, predicate: everything, allowBookmarks: false, queueLimit: 100, queueBytesLimit: 1 << 20, bookmarkIntervalMs: 60_000 };
    const watchers = [new CacheWatcher(opts), new CacheWatcher(opts)];
    const ac = new AbortController();
    const its = watchers.map((w) => w.events(ac.signal));
    const ch = { ...change(1), prev: { metadata: { name: 'k1' } } };
    for (const w of watchers) w.push(ch);
    const [a, b] = await Promise.all(its.map(async (it) => (await it.next()).value));
    expect(a).toBe(b);
    expect(a).toMatchObject({ type: 'MODIFIED', object: ch.object });
    ac.abort();
  });
});

describe('CacheWatcher batches', () => {
  const opts = { key: '/p/', recursive: true, predicate: everything, allowBookmarks: false, queueLimit: 100, queueBytesLimit: 1 << 20, bookmarkIntervalMs: 60_000 };
  const names = (evs: { object: { metadata: { name?: string } } }[]) => evs.map((e) => e.object.metadata.name);

  it('hands over the backlog in batches of at most maxBatch, then everything queued since the last pull', async () => {
    const w = new CacheWatcher(opts);
    for (let r = 1; r <= 5; r++) w.pushBacklog({ type: 'ADDED', object: { metadata: { name: `b${r}` } } });
    const ac = new AbortController();
    const it = w.batches(ac.signal, 2);
    expect(names((await it.next()).value)).toEqual(['b1', 'b2']);
    expect(names((await it.next()).value)).toEqual(['b3', 'b4']);
    expect(names((await it.next()).value)).toEqual(['b5']);
    // The consumer asks seldom: what queued meanwhile comes in one batch (up to maxBatch).
    for (let r = 1; r <= 3; r++) w.push(change(r));
    expect(names((await it.next()).value)).toEqual(['k1', 'k2']);
    expect(names((await it.next()).value)).toEqual(['k3']);
    const pending = it.next();
    w.push(change(4));
    expect(names((await pending).value)).toEqual(['k4']);
    expect((w as unknown as { queue: unknown[] }).queue).toHaveLength(0);
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });

  it('counts only events not yet taken against its limits', async () => {
    const w = new CacheWatcher({ ...opts, queueLimit: 3 });
    const it = w.batches(new AbortController().signal);
    for (let round = 0; round < 5; round++) {
      for (let r = 1; r <= 3; r++) w.push(change(round * 10 + r));
      expect((await it.next()).value).toHaveLength(3);
    }
    w.push(change(100));
    w.push(change(101));
    w.push(change(102));
    w.push(change(103)); // a fourth untaken one passes the limit
    await expect(it.next()).rejects.toMatchObject({ code: 'Compacted' });
  });
});
