// Does the watch cache pay? LIST of 5000 objects at rv unset through the plain store vs the cache.
// Skipped unless KPLANE_BENCH=1:  KPLANE_BENCH=1 npx vitest run internal/storage/watchcache/watch-cache-bench
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import { createSqliteBackend } from '../../backends/sqlite/index.js';
import type { Backend } from '../backend.js';
import { jsonCodec } from '../codec.js';
import { createObjectStore } from '../object-store-impl.js';
import type { KubeObject } from '../../api/index.js';
import { cm, everythingPred, labelPred } from '../testing/object-store-conformance-helpers.js';
import { createWatchCache } from './watch-cache.js';

const N = 5000;
const P = '/registry/configmaps/';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(label: string, runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  const m = median(xs);
  console.log(`${label.padEnd(58)} median ${m.toFixed(2)} ms  (min ${Math.min(...xs).toFixed(2)}, n=${runs})`);
  return m;
}

async function seed(backend: Backend): Promise<void> {
  const store = createObjectStore(backend);
  for (let i = 0; i < N; i++) {
    const name = `cm-${String(i).padStart(5, '0')}`;
    // ~600 bytes each, about a small real ConfigMap with managedFields.
    const o = cm(name, { 'config.yaml': 'x'.repeat(300), other: String(i) }, { app: i % 10 === 0 ? 'web' : 'db' }, `ns${i % 20}`);
    o.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"ConfigMap"}' };
    await store.create(`${P}${o.metadata.namespace}/${name}`, o);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'kplane-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const backends: [string, () => Backend][] = [
  ['memory', () => createMemoryBackend()],
  ['sqlite', () => createSqliteBackend({ path: join(dir, 'bench.db'), compaction: false })],
];

describe.runIf(process.env.KPLANE_BENCH === '1').each(backends)('watch cache benchmark (%s backend)', (name, makeBackend) => {
  it(`LIST ${N} objects: backend vs cache`, async () => {
    const backend = makeBackend();
    await seed(backend);
    const plain = createObjectStore(backend);
    const cache = createWatchCache({ inner: plain, backend, prefix: P });
    await cache.ready();
    const runs = 30;
    console.log(`--- ${name} backend, ${N} ConfigMaps ---`);
    const viaBackend = await time('plain store  LIST rv unset (backend read + JSON decode)', runs, () => plain.list(P, { predicate: everythingPred }));
    const viaCache = await time('watch cache  LIST rv unset (wait fresh + copy)', runs, () => cache.list(P, { predicate: everythingPred }));
    await time('watch cache  LIST rv "0"', runs, () => cache.list(P, { predicate: everythingPred, resourceVersion: '0' }));
    const shared = createWatchCache({ inner: plain, backend, prefix: P, shareObjects: true });
    await shared.ready();
    await time('shared cache LIST rv unset (frozen objects, no copy)', runs, () => shared.list(P, { predicate: everythingPred }));
    await shared.close();
    await time('plain store  LIST rv unset limit=500', runs, () => plain.list(P, { predicate: everythingPred, limit: 500 }));
    await time('watch cache  LIST rv unset limit=500', runs, () => cache.list(P, { predicate: everythingPred, limit: 500 }));
    await time('plain store  LIST app=web (10% match)', runs, () => plain.list(P, { predicate: labelPred('app', 'web') }));
    await time('watch cache  LIST app=web (10% match)', runs, () => cache.list(P, { predicate: labelPred('app', 'web') }));
    await time('plain store  LIST one namespace (250 objects)', runs, () => plain.list(`${P}ns7/`, { predicate: everythingPred }));
    await time('watch cache  LIST one namespace (250 objects)', runs, () => cache.list(`${P}ns7/`, { predicate: everythingPred }));
    // What the copy-on-read costs, for the decision to hand out copies.
    const objs: KubeObject[] = (await cache.list(P, { predicate: everythingPred })).items;
    await time('copy 5000 objects with structuredClone', runs, () => objs.map((o) => structuredClone(o)));
    await time('copy 5000 objects with JSON round trip', runs, () => objs.map((o) => JSON.parse(JSON.stringify(o)) as KubeObject));
    const bytes = objs.map((o) => jsonCodec.encode(o));
    await time('copy 5000 objects by decoding their stored bytes', runs, () => bytes.map((b, i) => jsonCodec.decode(b, i + 1)));
    const frozen = objs.map((o) => structuredClone(o));
    await time('no copy (shared objects): array of references', runs, () => frozen.map((o) => o));
    console.log(`cache/backend ratio for LIST rv unset: ${(viaCache / viaBackend).toFixed(2)}`);
    expect(viaBackend).toBeGreaterThan(0);
    await cache.close();
    await backend.close();
  }, 120_000);
});
