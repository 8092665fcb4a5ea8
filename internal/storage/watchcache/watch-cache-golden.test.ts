// Golden transcript: one scripted history, watched four ways, through the plain store and the
// cache. Both must print exactly testdata/watch-transcript.txt. Regenerate (and review the diff)
// with UPDATE_GOLDEN=1 npx vitest run internal/storage/watchcache/watch-cache-golden
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import { createObjectStore } from '../object-store-impl.js';
import type { ObjectEvent, ObjectStore } from '../object-store.js';
import { cm, labelPred, openWatch } from '../testing/object-store-conformance-helpers.js';
import { createWatchCache } from './watch-cache.js';

const GOLDEN = new URL('./testdata/watch-transcript.txt', import.meta.url);
const P = '/registry/configmaps/';
const K = (n: string) => `${P}ns/${n}`;

async function transcript(store: ObjectStore, settle: () => Promise<void>): Promise<string> {
  const base = Number((await store.create(K('a'), cm('a', { v: '0' }, { tier: 'a' }))).metadata.resourceVersion) - 1;
  await store.create(K('b'), cm('b', { v: '0' }, { tier: 'b' }));
  await settle();
  const watches = {
    'rv="" tier=a': openWatch(store, P, { resourceVersion: '', predicate: labelPred('tier', 'a') }),
    [`rv=${base + 1} all`]: openWatch(store, P, { resourceVersion: String(base + 1) }),
    'watch-list all': openWatch(store, P, { resourceVersion: '', sendInitialEvents: true, allowBookmarks: true }),
    'key b only': openWatch(store, K('b'), { resourceVersion: '', recursive: false }),
  };
  const relabel = (n: string, tier: string, v: string) =>
    store.guaranteedUpdate(K(n), (o) => ({ ...o, data: { v }, metadata: { ...o.metadata, labels: { tier } } }));
  await relabel('a', 'b', '1');
  await relabel('b', 'a', '1');
  await store.delete(K('a'));
  await store.create(K('c'), cm('c', { v: '0' }, { tier: 'a' }));
  await relabel('c', 'a', '2');
  await relabel('b', 'b', '2');
  await store.delete(K('b'));
  await store.create(K('zz-end'), cm('zz-end', {}, { tier: 'a' }));
  const line = (e: ObjectEvent) => {
    const rv = Number(e.object.metadata.resourceVersion) - base;
    if (e.type === 'BOOKMARK') return `  BOOKMARK @${rv}${e.object.metadata.annotations ? ' initial-events-end' : ''}`;
    const d = e.object.data as { v?: string } | undefined;
    return `  ${e.type.padEnd(8)} ${e.object.metadata.name} @${rv} tier=${e.object.metadata.labels?.tier} v=${d?.v ?? '-'}`;
  };
  const out: string[] = [];
  for (const [name, w] of Object.entries(watches)) {
    const end = name === 'key b only' ? (e: ObjectEvent) => e.type === 'DELETED' : (e: ObjectEvent) => e.object.metadata.name === 'zz-end';
    const deadline = Date.now() + 3000;
    while (!w.events.some(end) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    out.push(`watch ${name}`, ...w.events.map(line));
    w.close();
  }
  return out.join('\n') + '\n';
}

describe('watch transcript (golden)', () => {
  it('plain store', async () => {
    const backend = createMemoryBackend();
    const got = await transcript(createObjectStore(backend), async () => {});
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, got);
    expect(got).toBe(readFileSync(GOLDEN, 'utf8'));
    await backend.close();
  });

  it('watch cache', async () => {
    const backend = createMemoryBackend();
    const cache = createWatchCache({ inner: createObjectStore(backend), backend, prefix: P, progressIntervalMs: 20 });
    await cache.ready();
    const settle = async () => {
      const { revision } = await backend.currentRevision();
      while (cache.revision < revision) await new Promise((r) => setTimeout(r, 5));
    };
    expect(await transcript(cache, settle)).toBe(readFileSync(GOLDEN, 'utf8'));
    await cache.close();
    await backend.close();
  });
});
