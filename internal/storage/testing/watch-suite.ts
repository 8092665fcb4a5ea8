import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { isStorageError } from '../errors.js';
import { bytes, expectWellFormedStream, summary, text, uniquePrefix, WatchRecorder, type BackendConformanceOptions, type MakeBackend } from './helpers.js';

/** Watch guarantees (raft-and-testing.md §c): catch-up then live, prevKv, compaction, backpressure, progress. */
export function watchSuite(make: MakeBackend, opts: BackendConformanceOptions): void {
  describe('watch', () => {
    let b: Backend;
    let p: string;
    let ac: AbortController;
    beforeEach(async () => {
      b = await make();
      p = uniquePrefix();
      ac = new AbortController();
      // Revision 0 means "now" to watch, so start every test past it.
      await b.create(p + '~warmup', bytes(''));
      await b.delete(p + '~warmup');
    });
    afterEach(async () => {
      ac.abort();
      await b.close();
    });

    it('from a past revision: catch-up, then live, with no gaps or duplicates', async () => {
      const { revision: r0 } = await b.currentRevision();
      await b.create(p + 'a', bytes('a'));
      await b.create(p + 'b', bytes('b'));
      await b.create('/elsewhere' + p, bytes('x'));
      const w = new WatchRecorder(b.watch(p, { afterRevision: r0, signal: ac.signal }));
      await w.until(() => w.events.length >= 2);
      const c = await b.create(p + 'c', bytes('c'));
      await w.until(() => w.events.length >= 3);
      expect(w.events.map((e) => [e.type, e.kv.key.slice(p.length), e.kv.modRevision])).toEqual([
        ['put', 'a', r0 + 1],
        ['put', 'b', r0 + 2],
        ['put', 'c', c.revision],
      ]);
      expectWellFormedStream(w.batches);
    });

    it('from a revision in the middle delivers exactly the later changes (W5)', async () => {
      const a = await b.create(p + 'a', bytes('a'));
      await b.create(p + 'b', bytes('b'));
      const w = new WatchRecorder(b.watch(p, { afterRevision: a.revision, signal: ac.signal }));
      await w.until(() => w.events.length >= 1);
      await new Promise((r) => setTimeout(r, 30));
      expect(w.events.map((e) => e.kv.key)).toEqual([p + 'b']);
    });

    it('afterRevision 0 means from now', async () => {
      await b.create(p + 'old', bytes('x'));
      const w = new WatchRecorder(b.watch(p, { afterRevision: 0, signal: ac.signal }));
      const n = await b.create(p + 'new', bytes('y'));
      await w.until(() => w.events.length >= 1);
      expect(w.events[0]!.kv.key).toBe(p + 'new');
      expect(w.events[0]!.kv.modRevision).toBe(n.revision);
    });

    it('a future start revision never returns older events (W10)', async () => {
      const { revision } = await b.currentRevision();
      const w = new WatchRecorder(b.watch(p, { afterRevision: revision + 2, signal: ac.signal }));
      for (const k of ['a', 'b', 'c']) await b.create(p + k, bytes(k));
      await w.until(() => w.events.length >= 1);
      expect(w.events.map((e) => e.kv.key)).toEqual([p + 'c']);
    });

    it('events carry prevKv for updates and deletes, none for creates (W7)', async () => {
      const w = new WatchRecorder(b.watch(p, { afterRevision: 0, signal: ac.signal }));
      const c = await b.create(p + 'a', bytes('one'));
      const u = await b.update(p + 'a', bytes('two'), c.revision);
      const d = await b.delete(p + 'a');
      await w.until(() => w.events.length >= 3);
      const [ec, eu, ed] = w.events;
      expect(ec!.type).toBe('put');
      expect(ec!.prevKv).toBeUndefined();
      expect(summary(ec!.kv)).toEqual(summary(c.kv));
      expect(summary(eu!.kv)).toEqual(summary(u.kv));
      expect(summary(eu!.prevKv)).toEqual(summary(c.kv));
      expect(ed!.type).toBe('delete');
      expect(ed!.kv.key).toBe(p + 'a');
      expect(ed!.kv.modRevision).toBe(d.revision);
      expect(ed!.kv.value.byteLength).toBe(0);
      expect(summary(ed!.prevKv)).toEqual(summary(u.kv));
    });

    it('catch-up events carry the same prevKv as live ones', async () => {
      const { revision: r0 } = await b.currentRevision();
      const c = await b.create(p + 'a', bytes('one'));
      const u = await b.update(p + 'a', bytes('two'), c.revision);
      await b.delete(p + 'a');
      const w = new WatchRecorder(b.watch(p, { afterRevision: r0, signal: ac.signal }));
      await w.until(() => w.events.length >= 3);
      expect(w.events.map((e) => text(e.prevKv?.value))).toEqual([undefined, 'one', 'two']);
      expect(summary(w.events[2]!.prevKv)).toEqual(summary(u.kv));
    });

    it('a start below the compaction point throws Compacted (W9)', async () => {
      const a = await b.create(p + 'a', bytes('a'));
      const a2 = await b.update(p + 'a', bytes('b'), a.revision);
      await b.compact(a2.revision);
      const w = new WatchRecorder(b.watch(p, { afterRevision: a.revision, signal: ac.signal }));
      await w.done;
      expect(isStorageError(w.error, 'Compacted')).toBe(true);
      const ok = new WatchRecorder(b.watch(p, { afterRevision: a2.revision, signal: ac.signal }));
      await b.create(p + 'z', bytes('z'));
      await ok.until(() => ok.events.length === 1);
    });

    it('a watcher still catching up when compaction passes it gets every event or Compacted, never a gap', async () => {
      const { revision: r0 } = await b.currentRevision();
      let last = await b.create(p + 'a', bytes('0'));
      const w = b.watch(p, { afterRevision: r0, signal: ac.signal })[Symbol.asyncIterator]();
      for (let i = 1; i <= 30; i++) last = await b.update(p + 'a', bytes(String(i)), last.revision);
      await b.compact(last.revision - 2);
      const revs: number[] = [];
      try {
        while (revs[revs.length - 1] !== last.revision) {
          const r = await w.next();
          if (r.done) break;
          revs.push(...r.value.events.map((e) => e.kv.modRevision));
        }
      } catch (err) {
        expect(isStorageError(err, 'Compacted')).toBe(true);
      }
      expect(revs).toEqual(Array.from({ length: revs.length }, (_, i) => r0 + 1 + i));
    });

    it('abort ends the iterator without an error', async () => {
      const w = new WatchRecorder(b.watch(p, { afterRevision: 0, signal: ac.signal }));
      await b.create(p + 'a', bytes('a'));
      await w.until(() => w.events.length === 1);
      ac.abort();
      await w.done;
      expect(w.error).toBeUndefined();
    });

    it('close() ends watches', async () => {
      const w = new WatchRecorder(b.watch(p, { afterRevision: 0, signal: ac.signal }));
      await b.create(p + 'a', bytes('a'));
      await w.until(() => w.events.length === 1);
      await b.close();
      await w.done;
      expect(w.ended).toBe(true);
    });

    it('sends progress notifications while idle (W6)', async () => {
      await b.create(p + 'a', bytes('a'));
      const w = new WatchRecorder(b.watch(p, { afterRevision: 0, signal: ac.signal, progressIntervalMs: 50 }));
      await w.until(() => w.batches.length >= 1, 5000, 'progress notification');
      const { revision } = await b.currentRevision();
      expect(w.batches[0]).toEqual({ revision, events: [] });
      const n = await b.create(p + 'b', bytes('b'));
      await w.until(() => w.events.length === 1);
      await w.until(() => w.batches.length >= 3 && w.batches[w.batches.length - 1]!.events.length === 0, 5000, 'second progress');
      expect(w.batches[w.batches.length - 1]!.revision).toBeGreaterThanOrEqual(n.revision);
      expectWellFormedStream(w.batches);
    });

    it.runIf(opts.watcherQueueLimit !== undefined)('a slow watcher is cut with Compacted; others get everything', async () => {
      const limit = opts.watcherQueueLimit!;
      const slow = b.watch(p, { afterRevision: 0, signal: ac.signal })[Symbol.asyncIterator]();
      const fast = new WatchRecorder(b.watch(p, { afterRevision: 0, signal: ac.signal }));
      const n = limit + 20;
      for (let i = 0; i < n; i++) await b.create(`${p}k${i}`, bytes(String(i)));
      await fast.until(() => fast.events.length === n);
      let err: unknown;
      try {
        for (;;) if ((await slow.next()).done) break;
      } catch (e) {
        err = e;
      }
      expect(isStorageError(err, 'Compacted')).toBe(true);
      expectWellFormedStream(fast.batches);
    });
  });
}
