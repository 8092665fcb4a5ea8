import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import type { WatchEvent } from '../api/index.js';
import { batched, realClock } from '../util/index.js';
import { streamHttpWatch, WatchHub, WATCH_PIECE_BYTES } from './watch.js';
import { encodeLine } from './watch-encode.js';

/** Lines in a chunk of a watch stream. */
const lines = (b: Buffer) => b.toString().split('\n').length - 1;

/**
 * A response whose socket takes nothing until drain() is called (what a slow or busy reader looks
 * like): a write's callback comes only then, as a socket's does once the data left.
 */
class SlowResponse extends EventEmitter {
  writableLength = 0;
  writableEnded = false;
  destroyed = false;
  written = 0;
  bytes = 0;
  #callbacks: (() => void)[] = [];
  writeHead() {}
  flushHeaders() {}
  write(b: Buffer, cb?: () => void): boolean {
    this.writableLength += b.length;
    this.bytes += b.length;
    this.written += lines(b);
    if (cb) this.#callbacks.push(cb);
    return this.writableLength < 16 * 1024; // the socket's own high-water mark
  }
  drain(): void {
    this.writableLength = 0;
    for (const cb of this.#callbacks.splice(0)) cb();
    this.emit('drain');
  }
  end() {
    this.writableEnded = true;
  }
}

const big = (i: number): WatchEvent => ({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { v: 'x'.repeat(4000) } } });

describe('HTTP watch stream buffering', () => {
  it('hands its socket one piece at a time, the next once the socket took the last, however much is queued', async () => {
    const n = 600; // ~2.4 MB of events
    let pulled = 0;
    async function* events() {
      for (let i = 0; i < n; i++) {
        pulled++;
        yield big(i);
      }
    }
    const res = new SlowResponse();
    const session = new WatchHub(10, realClock).start(60)!;
    const done = streamHttpWatch(res as unknown as ServerResponse, session, events(), (ev) => encodeLine(ev), { errorStatus: () => ({}), closing: () => false });
    const settle = () => new Promise((r) => setTimeout(r, 20));
    await settle();
    // A reader that takes nothing holds one piece of the stream: the rest waits, unencoded.
    const perEvent = encodeLine(big(0)).length;
    expect(res.bytes).toBeLessThanOrEqual(WATCH_PIECE_BYTES + perEvent);
    expect(res.written).toBeGreaterThan(0);
    expect(pulled).toBeLessThan(n);
    for (let i = 0; i < 3; i++) {
      const before = res.bytes;
      res.drain();
      await settle();
      expect(res.bytes).toBeGreaterThan(before);
      expect(res.bytes - before).toBeLessThanOrEqual(WATCH_PIECE_BYTES + perEvent);
    }
    while (pulled < n || res.writableLength > 0) {
      res.drain();
      await settle();
    }
    session.abort();
    await done;
    expect(res.written).toBe(n);
  });
});

/** A response that records how many lines each of its writes carried. */
class CountingResponse extends EventEmitter {
  writableLength = 0;
  writableEnded = false;
  destroyed = false;
  flushes: number[] = [];
  writeHead() {}
  flushHeaders() {}
  write(b: Buffer, cb?: () => void): boolean {
    this.flushes.push(lines(b));
    if (cb) queueMicrotask(cb);
    return true;
  }
  end() {
    this.writableEnded = true;
  }
}

/** Events pushed by the test, pulled by the stream in batches (as from the watch cache: all queued ones at once). */
function channel() {
  let queued: WatchEvent[] = [];
  let wake: (() => void) | undefined;
  return {
    push(...evs: WatchEvent[]) {
      queued.push(...evs);
      wake?.();
    },
    events() {
      return batched(async function* () {
        for (;;) {
          if (queued.length) {
            const batch = queued;
            queued = [];
            yield batch;
            continue;
          }
          await new Promise<void>((r) => (wake = r));
        }
      });
    },
  };
}

const turn = () => new Promise((r) => setImmediate(r));
const ev = (i: number): WatchEvent => ({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: `c${i}` } } });

/** A stream of the user's `watches`-th open watch, fed by the test, written to a counting response. */
function streamOf(user: string, watches: number) {
  const hub = new WatchHub(1000, realClock);
  for (let i = 1; i < watches; i++) hub.start(600, user);
  const session = hub.start(600, user)!;
  const res = new CountingResponse();
  const ch = channel();
  const done = streamHttpWatch(res as unknown as ServerResponse, session, ch.events(), (e) => encodeLine(e), { errorStatus: () => ({}), closing: () => false });
  return { session, res, ch, done };
}

describe('HTTP watch stream writes', () => {
  it('writes a quiet stream at once, then takes what comes within its interval as one batch, in one write', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      // 250 open watches of one user: each of its streams writes at most every 250 ms.
      const { session, res, ch, done } = streamOf('busy', 250);
      expect(session.userWatches()).toBe(250);
      ch.push(ev(1), ev(2), ev(3));
      await turn();
      expect(res.flushes).toEqual([3]);
      ch.push(ev(4));
      await turn();
      ch.push(ev(5), ev(6));
      await turn();
      vi.advanceTimersByTime(249);
      await turn();
      expect(res.flushes).toEqual([3]);
      vi.advanceTimersByTime(1);
      await turn();
      expect(res.flushes).toEqual([3, 3]);
      // Quiet for longer than the interval: the next event leaves at once again.
      vi.advanceTimersByTime(300);
      ch.push(ev(7));
      await turn();
      expect(res.flushes).toEqual([3, 3, 1]);
      session.abort();
      ch.push(ev(8));
      await done;
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes every turn for a user with one watch', async () => {
    const { session, res, ch, done } = streamOf('kubectl', 1);
    for (let i = 0; i < 3; i++) {
      ch.push(ev(i));
      await turn();
      // The interval (1 ms) may not have passed on a fast machine; then the event leaves at its end.
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(res.flushes).toEqual([1, 1, 1]);
    session.abort();
    ch.push(ev(9));
    await done;
  });

  it('ends at once when the watch ends within its interval; what it had not taken stays unsent (the client resumes from the last resourceVersion it got)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const { session, res, ch, done } = streamOf('busy', 250);
      ch.push(ev(1));
      await turn();
      ch.push(ev(2), ev(3));
      await turn();
      expect(res.flushes).toEqual([1]);
      session.abort();
      await done;
      expect(res.flushes).toEqual([1]);
      expect(res.writableEnded).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
