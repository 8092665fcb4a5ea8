import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import { delegatingBackend } from '../testing/helpers.js';
import { createObjectStore } from '../object-store-impl.js';
import { everything } from '../object-store.js';
import { cm } from '../testing/object-store-conformance-helpers.js';
import { CacheState } from './cache-state.js';
import { createWatchCache, type WatchCache } from './watch-cache.js';

const P = '/registry/configmaps/';
const K = (n: string) => `${P}ns/${n}`;

describe('watch cache: next pages of a paged list', () => {
  let cache: WatchCache | undefined;
  afterEach(async () => {
    await cache?.close();
  });

  async function setup(n: number) {
    const mem = createMemoryBackend();
    const lists: string[] = [];
    const backend = delegatingBackend(mem, { list: (p, o) => (lists.push(p), mem.list(p, o)) });
    const inner = createObjectStore(backend);
    for (let i = 0; i < n; i++) await inner.create(K(`cm-${String(i).padStart(2, '0')}`), cm(`cm-${String(i).padStart(2, '0')}`));
    cache = createWatchCache({ inner, backend, prefix: P, progressIntervalMs: 20, shareObjects: true });
    await cache.ready();
    const settle = async () => {
      const { revision } = await backend.currentRevision();
      while (cache!.revision < revision) await new Promise((r) => setTimeout(r, 5));
    };
    lists.length = 0;
    return { inner, lists, settle };
  }

  async function pages(c: WatchCache, limit: number, between?: () => Promise<void>) {
    const names: string[] = [];
    const rvs: string[] = [];
    let cont: string | undefined;
    do {
      const page = await c.list(P, { limit, predicate: everything, ...(cont ? { continue: cont } : {}) });
      names.push(...page.items.map((o) => o.metadata.name!));
      rvs.push(page.resourceVersion);
      cont = page.continue;
      await between?.();
    } while (cont);
    return { names, rvs };
  }

  it('reads every page from memory while nothing changed, at the snapshot revision', async () => {
    const { lists } = await setup(7);
    const { names, rvs } = await pages(cache!, 3);
    expect(names).toEqual(['cm-00', 'cm-01', 'cm-02', 'cm-03', 'cm-04', 'cm-05', 'cm-06']);
    expect(new Set(rvs).size).toBe(1);
    expect(lists).toEqual([]);
  });

  it('after a change, the next pages come from the backend at the snapshot revision (no new object seen)', async () => {
    const { inner, lists, settle } = await setup(7);
    let wrote = false;
    const { names, rvs } = await pages(cache!, 3, async () => {
      if (wrote) return;
      wrote = true;
      await inner.create(K('cm-05a'), cm('cm-05a'));
      await inner.delete(K('cm-06'));
      await settle();
    });
    expect(names).toEqual(['cm-00', 'cm-01', 'cm-02', 'cm-03', 'cm-04', 'cm-05', 'cm-06']);
    expect(new Set(rvs).size).toBe(1);
    expect(lists.length).toBe(2);
  });

  it('remaining item counts and the last page match a list from the backend', async () => {
    const { inner } = await setup(7);
    const first = await cache!.list(P, { limit: 3, predicate: everything });
    const fromCache = await cache!.list(P, { limit: 3, predicate: everything, continue: first.continue });
    const fromInner = await inner.list(P, { limit: 3, predicate: everything, continue: first.continue });
    expect(fromCache.items.map((o) => o.metadata.name)).toEqual(fromInner.items.map((o) => o.metadata.name));
    expect(fromCache.remainingItemCount).toBe(fromInner.remainingItemCount);
    expect(fromCache.resourceVersion).toBe(fromInner.resourceVersion);
    expect(typeof fromCache.continue).toBe(typeof fromInner.continue);
  });
});

describe('CacheState.holdsStateAt', () => {
  const change = (key: string, revision: number) => ({ type: 'ADDED' as const, key, revision, object: cm(key) });
  it.each([
    // [snapshot revision, change revisions, asked revision, expected]
    [10, [], 10, true],
    [10, [], 9, false], // loaded after the asked revision: what happened between is unknown
    [10, [], 11, false], // the cache has not reached it
    [10, [12], 12, true],
    [10, [12], 11, false],
    [10, [12], 0, false],
  ])('snapshot %i, changes %j: state at %i is held → %s', (snap, revs, asked, want) => {
    const s = new CacheState(100);
    s.reset([], snap);
    for (const r of revs) s.apply(change(`${P}ns/x${r}`, r) as never);
    expect(s.holdsStateAt(asked)).toBe(want);
  });

  it('a progress advance keeps the state held', () => {
    const s = new CacheState(100);
    s.reset([], 10);
    s.advance(20);
    expect(s.holdsStateAt(15)).toBe(true);
    expect(s.holdsStateAt(9)).toBe(false);
  });
});
