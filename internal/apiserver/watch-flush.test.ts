import { describe, expect, it } from 'vitest';
import { bufferBytes, DEFAULT_WATCH_FLUSH, flushDelayMs, flushIntervalMs, type WatchFlushOptions } from './watch-flush.js';

const o: WatchFlushOptions = DEFAULT_WATCH_FLUSH;
const KiB = 1024;
const MiB = 1024 * KiB;

describe('flushIntervalMs', () => {
  it.each([
    // [user's open watches, options, interval ms]
    [0, o, 1],
    [1, o, 1],
    [2, o, 2],
    [3, o, 3],
    [60, o, 60], // a controller manager's informers
    [400, o, 400],
    [500, o, 500],
    [1000, o, 500], // capped: an event never waits longer than maxIntervalMs
    [10_000, o, 500],
    [1, { ...o, minIntervalMs: 10 }, 10],
    [100, { ...o, userWritesPerSecond: 100_000 }, 1],
    [100, { ...o, userWritesPerSecond: 10 }, 500],
  ])('%i watches %o: %i ms', (watches, opts, want) => {
    expect(flushIntervalMs(watches, opts)).toBe(want);
  });

  it('writes at once on an idle event loop, whatever the watch count', () => {
    for (const n of [1, 10, 600, 10_000]) expect(flushIntervalMs(n, o, false)).toBe(0);
    expect(flushIntervalMs(600, { ...o, minIntervalMs: 5 }, false)).toBe(5);
    expect(flushIntervalMs(600, o, true)).toBe(500);
  });

  it('gives one user about userWritesPerSecond writes a second in all, below the cap', () => {
    for (const n of [10, 100, 400]) expect(n * (1000 / flushIntervalMs(n, DEFAULT_WATCH_FLUSH))).toBeLessThanOrEqual(DEFAULT_WATCH_FLUSH.userWritesPerSecond);
  });
});

describe('flushDelayMs', () => {
  it.each([
    // [now, last write, interval, delay]
    [1000, -Infinity, 200, 0], // never wrote: at once
    [1000, 0, 200, 0], // quiet for longer than the interval: at once
    [1000, 800, 200, 0], // exactly one interval later
    [1000, 900, 200, 100], // the rest of the interval
    [1000, 1000, 200, 200], // just wrote
    [1000, 1000, 0, 0], // no interval: every turn
  ])('now %d, last %d, interval %d: %d', (now, last, interval, want) => {
    expect(flushDelayMs(now, last, interval)).toBe(want);
  });
});

describe('bufferBytes', () => {
  it.each([
    // [user's watches, all watches, bytes]
    [1, 1, 1 * MiB], // kubectl: the most
    [64, 64, 1 * MiB],
    [65, 65, Math.floor((64 * MiB) / 65)], // past 64 the user's share bites
    [600, 600, Math.floor((64 * MiB) / 600)],
    [1000, 1000, Math.floor((64 * MiB) / 1000)],
    [10_000, 10_000, 16 * KiB], // never below the floor
    [1, 8192, 16 * KiB], // all streams' share bites
    [1, 256, Math.floor((128 * MiB) / 256)],
    [0, 0, 1 * MiB],
  ])('%i of the user, %i in all: %i', (user, total, want) => {
    expect(bufferBytes(user, total, o)).toBe(want);
  });

  it("keeps one user's streams, and all streams, within their budgets above the floor", () => {
    for (const n of [100, 1000]) expect(n * bufferBytes(n, n, o)).toBeLessThanOrEqual(o.userBufferBytes);
    for (const n of [200, 1000, 8000]) expect(n * bufferBytes(1, n, o)).toBeLessThanOrEqual(Math.max(o.totalBufferBytes, n * o.minBufferBytes));
  });
});
