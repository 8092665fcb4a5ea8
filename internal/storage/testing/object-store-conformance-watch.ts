import { describe, expect, it } from 'vitest';
import { isStorageError } from '../errors.js';
import { INITIAL_EVENTS_END_ANNOTATION } from '../object-store-events.js';
import type { FixtureRef, ObjectStoreConformanceOptions } from './object-store-conformance.js';
import { cm, labelPred, openWatch, rvOf, sleepMs, summary } from './object-store-conformance-helpers.js';

const P = '/registry/configmaps/';
const K = (name: string) => `${P}ns/${name}`;

export function watchTests(fx: FixtureRef, opts: ObjectStoreConformanceOptions): void {
  describe('watch', () => {
    it('rv "0" starts with ADDED for the current state, then live changes', async () => {
      await fx().store.create(K('a'), cm('a'));
      await fx().store.create(K('b'), cm('b'));
      await fx().settle?.();
      const w = openWatch(fx().store, P, { resourceVersion: '0' });
      expect(summary(await w.take(2))).toEqual(['ADDED a', 'ADDED b']);
      const u = await fx().store.guaranteedUpdate(K('a'), (o) => ({ ...o, data: { x: '1' } }));
      const d = await fx().store.delete(K('b'));
      await fx().store.create(K('c'), cm('c'));
      const evs = await w.take(3);
      expect(summary(evs)).toEqual(['MODIFIED a', 'DELETED b', 'ADDED c']);
      expect(evs[0]!.object).toEqual(u);
      expect(evs[0]!.prevObject?.data).toEqual({});
      expect(evs[1]!.object.metadata.resourceVersion).toBe(d.metadata.resourceVersion);
      w.close();
    });

    it('rv "" starts with the consistent current state', async () => {
      await fx().store.create(K('a'), cm('a'));
      const w = openWatch(fx().store, P, { resourceVersion: '' });
      expect(summary(await w.take(1))).toEqual(['ADDED a']);
      await fx().store.create(K('b'), cm('b'));
      expect(summary(await w.take(1))).toEqual(['ADDED b']);
      w.close();
    });

    it('rv "N" delivers exactly the changes after N, in order', async () => {
      const a = await fx().store.create(K('a'), cm('a'));
      await fx().store.guaranteedUpdate(K('a'), (o) => ({ ...o, data: { v: '2' } }));
      await fx().store.create(K('b'), cm('b'));
      const w = openWatch(fx().store, P, { resourceVersion: a.metadata.resourceVersion });
      await fx().store.delete(K('a'));
      const evs = await w.take(3);
      expect(summary(evs)).toEqual(['MODIFIED a', 'ADDED b', 'DELETED a']);
      const rvs = evs.map((e) => rvOf(e.object));
      expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
      expect(rvs[0]).toBe(rvOf(a) + 1);
      expect(await w.take(1, 100)).toEqual([]); // nothing doubled
      w.close();
    });

    it('non-recursive watches one key only (not keys that share its prefix)', async () => {
      const w = openWatch(fx().store, K('a'), { recursive: false, resourceVersion: '' });
      await fx().store.create(K('ab'), cm('ab'));
      await fx().store.create(K('a'), cm('a'));
      await fx().store.delete(K('ab'));
      await fx().store.delete(K('a'));
      expect(summary(await w.take(2))).toEqual(['ADDED a', 'DELETED a']);
      expect(await w.take(1, 100)).toEqual([]);
      w.close();
    });

    it('a recursive watch of a namespace prefix sees only that namespace', async () => {
      const w = openWatch(fx().store, `${P}ns`, { resourceVersion: '' });
      await fx().store.create(`${P}ns2/x`, cm('x', {}, undefined, 'ns2'));
      await fx().store.create(K('a'), cm('a'));
      expect(summary(await w.take(1))).toEqual(['ADDED a']);
      expect(await w.take(1, 100)).toEqual([]);
      w.close();
    });

    it('turns selector transitions into ADDED and DELETED', async () => {
      const c = await fx().store.create(K('a'), cm('a', {}, { app: 'web' }));
      const w = openWatch(fx().store, P, { resourceVersion: c.metadata.resourceVersion, predicate: labelPred('app', 'web') });
      const set = (labels: Record<string, string>, v: string) =>
        fx().store.guaranteedUpdate(K('a'), (o) => ({ ...o, data: { v }, metadata: { ...o.metadata, labels } }));
      const gone = await set({ app: 'db' }, '1');
      await set({ app: 'db' }, '2'); // matches neither before nor after: not sent
      await set({ app: 'web' }, '3');
      await set({ app: 'web' }, '4');
      const evs = await w.take(3);
      expect(evs.map((e) => `${e.type} ${(e.object.data as { v?: string }).v ?? '-'}`)).toEqual(['DELETED -', 'ADDED 3', 'MODIFIED 4']);
      // A DELETED for "stopped matching" carries the old content at the change's resourceVersion.
      expect(evs[0]!.object.metadata.labels).toEqual({ app: 'web' });
      expect(evs[0]!.object.metadata.resourceVersion).toBe(gone.metadata.resourceVersion);
      expect(await w.take(1, 100)).toEqual([]);
      w.close();
    });

    it('sendInitialEvents sends ADDED, then the initial-events-end BOOKMARK at the snapshot revision', async () => {
      await fx().store.create(K('a'), cm('a'));
      const b = await fx().store.create(K('b'), cm('b'));
      const w = openWatch(fx().store, P, { sendInitialEvents: true, allowBookmarks: true, resourceVersion: '' });
      const evs = await w.take(3);
      expect(summary(evs)).toEqual(['ADDED a', 'ADDED b', `BOOKMARK ${b.metadata.resourceVersion}`]);
      expect(evs[2]!.object.metadata.annotations).toEqual({ [INITIAL_EVENTS_END_ANNOTATION]: 'true' });
      await fx().store.create(K('c'), cm('c'));
      expect(summary(await w.take(1))).toEqual(['ADDED c']);
      w.close();
    });

    it('sendInitialEvents=false with rv "" sends only changes', async () => {
      await fx().store.create(K('a'), cm('a'));
      const w = openWatch(fx().store, P, { sendInitialEvents: false, resourceVersion: '' });
      await sleepMs(20);
      await fx().store.create(K('b'), cm('b'));
      expect(summary(await w.take(1))).toEqual(['ADDED b']);
      w.close();
    });

    it('sends periodic BOOKMARKs with allowBookmarks, and none without', async () => {
      const c = await fx().store.create(K('a'), cm('a'));
      const w = openWatch(fx().store, P, { resourceVersion: c.metadata.resourceVersion, allowBookmarks: true });
      const quiet = openWatch(fx().store, P, { resourceVersion: c.metadata.resourceVersion });
      const evs = await w.take(2, opts.bookmarkIntervalMs * 10);
      expect(evs.map((e) => e.type)).toEqual(['BOOKMARK', 'BOOKMARK']);
      expect(evs.every((e) => rvOf(e.object) >= rvOf(c))).toBe(true);
      expect(quiet.events).toEqual([]);
      w.close();
      quiet.close();
    });

    it('a watch from a compacted revision fails with Compacted', async () => {
      const a = await fx().store.create(K('a'), cm('a'));
      // Enough changes to push `a` out of any cache's event window (fixtures keep it below 100).
      for (let i = 0; i < 120; i++) await fx().store.guaranteedUpdate(K('a'), (o) => ({ ...o, data: { v: String(i) } }));
      await fx().backend.compact((await fx().backend.currentRevision()).revision);
      const w = openWatch(fx().store, P, { resourceVersion: a.metadata.resourceVersion });
      await w.done();
      expect(w.ended).toBe(true);
      expect(isStorageError(w.error, 'Compacted')).toBe(true);
    });

    it('a watch from a revision the store has not reached fails with FutureRevision', async () => {
      const a = await fx().store.create(K('a'), cm('a'));
      const w = openWatch(fx().store, P, { resourceVersion: String(rvOf(a) + 1000) });
      await w.done(opts.futureRevisionWaitMs * 4 + 3000);
      expect(isStorageError(w.error, 'FutureRevision')).toBe(true);
    });

    it('ends when the signal aborts', async () => {
      const w = openWatch(fx().store, P, { resourceVersion: '' });
      await sleepMs(10);
      w.close();
      await w.done();
      expect(w.ended).toBe(true);
      expect(w.error).toBeUndefined();
    });
  });
}
