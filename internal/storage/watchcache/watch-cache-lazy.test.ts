import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import { jsonCodec, type Codec } from '../codec.js';
import { createObjectStore } from '../object-store-impl.js';
import { cm, everythingPred, openWatch, summary } from '../testing/object-store-conformance-helpers.js';
import { createWatchCache, type WatchCache } from './watch-cache.js';

const P = '/registry/configmaps/';
const K = (n: string) => `${P}ns/${n}`;

/** jsonCodec that counts decodes of values whose key it is given (the cache always passes it). */
function countingCodec() {
  const decoded: string[] = [];
  const codec: Codec = {
    encode: (o) => jsonCodec.encode(o),
    decode(value, revision, key) {
      if (key) decoded.push(`${key.slice(P.length)}@${revision}`);
      return jsonCodec.decode(value, revision, key);
    },
  };
  return { codec, decoded };
}

describe('watch cache: objects are decoded when first read', () => {
  let cache: WatchCache | undefined;
  afterEach(async () => {
    await cache?.close();
  });

  for (const shareObjects of [true, false]) {
    it(`shareObjects=${shareObjects}: writes nobody reads decode nothing; a read decodes once; an update's watcher does not decode the previous value`, async () => {
      const backend = createMemoryBackend();
      const { codec, decoded } = countingCodec();
      // The inner store gets its own codec: only the cache's decodes are counted.
      cache = createWatchCache({ inner: createObjectStore(backend), backend, prefix: P, codec, shareObjects, progressIntervalMs: 20, consistentReadWaitMs: 5000 });
      await cache.ready();
      const a = await cache.create(K('a'), { ...cm('a', { k: '1' }), metadata: { ...cm('a').metadata, labels: { l: 'v' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u' }] } });
      const b = await cache.create(K('b'), cm('b'));
      while (cache.revision < Number(b.metadata.resourceVersion)) await new Promise((r) => setTimeout(r, 5));
      const afterWrites = decoded.length;
      const listed = await cache.list(P, { predicate: everythingPred, resourceVersion: '0' });
      expect(listed.items.map((o) => [o.metadata.name, o.data])).toEqual([
        ['a', { k: '1' }],
        ['b', {}],
      ]);
      if (shareObjects) {
        // Only the list decoded (once per object); the creates themselves decoded nothing.
        expect(afterWrites).toBe(0);
        expect(decoded.length).toBe(2);
        await cache.list(P, { predicate: everythingPred, resourceVersion: '0' });
        expect(decoded.length).toBe(2);
        // Shared objects are frozen all the way down (objects in arrays too).
        const [first] = listed.items;
        expect(Object.isFrozen(first)).toBe(true);
        expect(Object.isFrozen(first!.metadata)).toBe(true);
        expect(Object.isFrozen(first!.metadata.labels)).toBe(true);
        expect(Object.isFrozen(first!.metadata.ownerReferences)).toBe(true);
        expect(Object.isFrozen(first!.metadata.ownerReferences![0])).toBe(true);
        expect(Object.isFrozen(first!.data)).toBe(true);
      }

      const w = openWatch(cache, P, { resourceVersion: '0', sendInitialEvents: false });
      await new Promise((r) => setTimeout(r, 20));
      const before = decoded.length;
      const updated = await cache.guaranteedUpdate(K('a'), (o) => ({ ...o, data: { k: '2' } }));
      const [ev] = await w.take(1);
      expect(summary([ev!])).toEqual(['MODIFIED a']);
      expect(ev!.object.data).toEqual({ k: '2' });
      expect(ev!.object.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
      // The new object decoded (once when shared, plus the private copy when not); the previous one not at all.
      const revA = Number(a.metadata.resourceVersion);
      const newDecodes = decoded.slice(before);
      expect(newDecodes.filter((d) => d === `ns/a@${revA}`)).toEqual([]);
      expect(newDecodes.length).toBe(shareObjects ? 1 : 2);
      // Asked for, the previous object is there.
      expect(ev!.prevObject?.data).toEqual({ k: '1' });
      w.close();
    });
  }
});
