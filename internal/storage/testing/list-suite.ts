import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../backend.js';
import { bytes, text, uniquePrefix, type MakeBackend } from './helpers.js';

/** Range reads: prefix, order, limit/more/count, startKey pagination, countOnly, past revisions. */
export function listSuite(make: MakeBackend): void {
  describe('list', () => {
    let b: Backend;
    let p: string;
    beforeEach(async () => {
      b = await make();
      p = uniquePrefix();
      // Created out of order, plus keys that share a string prefix but not the key prefix.
      for (const k of ['c', 'a', 'b/x', 'b', 'd']) await b.create(p + 'items/' + k, bytes(k));
      await b.create(p + 'items', bytes('parent'));
      await b.create(p + 'itemsX/a', bytes('other'));
    });
    afterEach(async () => {
      await b.close();
    });

    const keysOf = (r: { kvs: { key: string }[] }) => r.kvs.map((kv) => kv.key.slice(p.length));

    it('returns the keys under the prefix in byte order', async () => {
      const r = await b.list(p + 'items/');
      expect(keysOf(r)).toEqual(['items/a', 'items/b', 'items/b/x', 'items/c', 'items/d']);
      expect(r.more).toBe(false);
      expect(r.count).toBe(5);
      expect(r.revision).toBe((await b.currentRevision()).revision);
      expect(text(r.kvs[0]!.value)).toBe('a');
    });

    it('limit sets more and count covers the whole range', async () => {
      const r = await b.list(p + 'items/', { limit: 2 });
      expect(keysOf(r)).toEqual(['items/a', 'items/b']);
      expect(r.more).toBe(true);
      expect(r.count).toBe(5);
      const all = await b.list(p + 'items/', { limit: 5 });
      expect(all.more).toBe(false);
    });

    it('startKey starts the range inside the prefix; count is from startKey on', async () => {
      const r = await b.list(p + 'items/', { startKey: p + 'items/b/x' });
      expect(keysOf(r)).toEqual(['items/b/x', 'items/c', 'items/d']);
      expect(r.count).toBe(3);
      const before = await b.list(p + 'items/', { startKey: p + 'a' });
      expect(before.count).toBe(5);
    });

    it('countOnly returns no values', async () => {
      const r = await b.list(p + 'items/', { countOnly: true });
      expect(r.kvs).toEqual([]);
      expect(r.count).toBe(5);
    });

    it('pages with limit and startKey at a pinned revision see one snapshot', async () => {
      const { revision } = await b.currentRevision();
      await b.delete(p + 'items/c');
      await b.create(p + 'items/e', bytes('e'));
      const seen: string[] = [];
      let start: string | undefined;
      for (;;) {
        const page = await b.list(p + 'items/', { limit: 2, startKey: start, revision });
        expect(page.revision).toBe(revision);
        seen.push(...keysOf(page));
        if (!page.more) break;
        start = page.kvs[page.kvs.length - 1]!.key + '\x00';
      }
      expect(seen).toEqual(['items/a', 'items/b', 'items/b/x', 'items/c', 'items/d']);
    });

    it('list at a past revision shows values and deletions of that time', async () => {
      const before = await b.currentRevision();
      const cur = (await b.get(p + 'items/a')).kv!;
      await b.update(p + 'items/a', bytes('a2'), cur.modRevision);
      await b.delete(p + 'items/d');
      const then = await b.list(p + 'items/', { revision: before.revision });
      expect(then.kvs.map((kv) => text(kv.value))).toEqual(['a', 'b', 'b/x', 'c', 'd']);
      const now = await b.list(p + 'items/');
      expect(now.kvs.map((kv) => text(kv.value))).toEqual(['a2', 'b', 'b/x', 'c']);
      const counted = await b.list(p + 'items/', { revision: before.revision, limit: 1 });
      expect(counted).toMatchObject({ more: true, count: 5 });
    });

    it('an empty range is not an error', async () => {
      const r = await b.list(p + 'nothing/');
      expect(r).toMatchObject({ kvs: [], more: false, count: 0 });
    });
  });
}
