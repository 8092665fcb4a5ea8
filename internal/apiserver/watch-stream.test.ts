import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { WatchEvent } from '../api/index.js';
import { realClock } from '../util/index.js';
import { streamHttpWatch, WatchHub, WATCH_WRITE_BUFFER_BYTES } from './watch.js';
import { encodeLine } from './watch-encode.js';

/** A response whose socket never flushes until drain() is called: what a slow or busy reader looks like. */
class SlowResponse extends EventEmitter {
  writableLength = 0;
  writableEnded = false;
  destroyed = false;
  written = 0;
  writeHead() {}
  flushHeaders() {}
  cork() {}
  uncork() {}
  write(b: Buffer): boolean {
    this.writableLength += b.length;
    this.written++;
    return this.writableLength < 16 * 1024; // the socket's own high-water mark
  }
  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
  end() {
    this.writableEnded = true;
  }
}

const big = (i: number): WatchEvent => ({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { v: 'x'.repeat(4000) } } });

describe('HTTP watch stream buffering', () => {
  it('keeps writing past the socket high-water mark, stops at its own buffer bound and goes on after drain', async () => {
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
    // Far more than 16 KiB went out without a drain, and the pump waits once past the bound.
    const perEvent = encodeLine(big(0)).length;
    expect(res.written).toBe(Math.floor(WATCH_WRITE_BUFFER_BYTES / perEvent) + 1);
    expect(pulled).toBeLessThan(n);
    const before = res.written;
    res.drain();
    await settle();
    expect(res.written).toBeGreaterThan(before);
    while (pulled < n || res.writableLength > 0) {
      res.drain();
      await settle();
    }
    session.abort();
    await done;
    expect(res.written).toBe(n);
  });
});
