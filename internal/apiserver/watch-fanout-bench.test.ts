// Watch fan-out from the watch cache through the registry to the encoded wire bytes (no sockets).
// The correctness case always runs; the CPU measurement is skipped unless KPLANE_BENCH=1:
//   KPLANE_BENCH=1 npx vitest run internal/apiserver/watch-fanout-bench
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, WatchEvent } from '../api/index.js';
import { createMemoryBackend } from '../backends/memory/index.js';
import { configMaps, namespaces } from '../registry/testing/fixtures.js';
import { ADMIN, createTestRegistry, type TestRegistry } from '../registry/testing/test-registry.js';
import { createObjectStore, createWatchCacheRouter, type WatchCacheRouter } from '../storage/index.js';
import { pumpEvents } from './watch.js';
import { sharedWatchEncoder } from './watch-encode.js';

const CM = { group: '', version: 'v1', resource: 'configmaps', namespace: 'ns' } as const;

let r: TestRegistry | undefined;
let cache: WatchCacheRouter | undefined;
afterEach(async () => {
  await cache?.close();
  await r?.close();
});

/** The server's stack: a shared-object watch cache per resource under the registry. */
async function stack(): Promise<TestRegistry> {
  const backend = createMemoryBackend();
  cache = createWatchCacheRouter({ inner: createObjectStore(backend), backend, shareObjects: true, progressIntervalMs: 20 });
  cache.add('/registry/configmaps/');
  cache.add('/registry/namespaces/');
  await new Promise((res) => setTimeout(res, 50));
  r = createTestRegistry([configMaps, namespaces], {}, { backend, objectStore: cache });
  await r.call({ group: '', version: 'v1', resource: 'namespaces', verb: 'create', body: { metadata: { name: 'ns' } }, params: {} });
  return r;
}

interface Watcher {
  lines: Buffer[];
  events: WatchEvent[];
}

async function openWatchers(reg: TestRegistry, n: number, rv: string, signal: AbortSignal): Promise<{ watchers: Watcher[]; done: Promise<unknown> }> {
  const watchers: Watcher[] = [];
  const pumps: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const w: Watcher = { lines: [], events: [] };
    const { events } = await reg.handler.watch({ user: ADMIN, ...CM, verb: 'watch', params: { resourceVersion: rv }, signal });
    const encode = sharedWatchEncoder('plain', (ev) => ev);
    pumps.push(
      pumpEvents(events, signal, (batch) => {
        for (const ev of batch) {
          w.events.push(ev);
          w.lines.push(encode(ev));
        }
      }),
    );
    watchers.push(w);
  }
  return { watchers, done: Promise.allSettled(pumps) };
}

const body = (name: string, v: string, rv?: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: rv }, data: { value: v } });

describe('watch fan-out', () => {
  it('sends every watcher the bytes a per-watcher JSON.stringify would, encoding each event once', async () => {
    const reg = await stack();
    const created = await reg.obj({ ...CM, verb: 'create', body: body('c', 'x'), params: {} });
    const ac = new AbortController();
    const { watchers, done } = await openWatchers(reg, 3, created.metadata.resourceVersion!, ac.signal);
    let cur = created;
    for (let i = 0; i < 5; i++) cur = await reg.obj({ ...CM, verb: 'update', name: 'c', body: body('c', `v${i}`, cur.metadata.resourceVersion), params: {} });
    await reg.call({ ...CM, verb: 'delete', name: 'c', params: {} });
    while (watchers.some((w) => w.lines.length < 6)) await new Promise((res) => setTimeout(res, 5));
    ac.abort();
    await done;
    for (const w of watchers) {
      expect(w.events.map((e) => e.type)).toEqual(['MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
      expect(w.lines.map((l) => l.toString())).toEqual(w.events.map((e) => `${JSON.stringify(e)}\n`));
    }
    // One buffer per event, shared by all three watchers.
    for (let i = 0; i < 6; i++) expect(new Set(watchers.map((w) => w.lines[i])).size).toBe(1);
  });

  it.skipIf(!process.env.KPLANE_BENCH)('CPU per update with 0 and 10 watchers (prints; asserts delivery only)', async () => {
    const reg = await stack();
    const N = 100;
    const U = 2000;
    const latest: KubeObject[] = [];
    const payload = 'x'.repeat(1000);
    for (let i = 0; i < N; i++) latest.push(await reg.obj({ ...CM, verb: 'create', body: body(`cm-${i}`, payload), params: {} }));
    for (const W of [0, 10, 0, 10]) {
      const ac = new AbortController();
      const { watchers, done } = await openWatchers(reg, W, latest.at(-1)!.metadata.resourceVersion!, ac.signal);
      const c0 = process.cpuUsage();
      let next = 0;
      await Promise.all(
        [0, 1, 2, 3].map(async () => {
          while (next < U) {
            const i = next++;
            const cur = latest[i % N]!;
            latest[i % N] = await reg.obj({ ...CM, verb: 'update', name: cur.metadata.name, body: body(cur.metadata.name!, `${i}${payload}`, cur.metadata.resourceVersion), params: {} });
          }
        }),
      );
      while (watchers.some((w) => w.lines.length < U)) await new Promise((res) => setTimeout(res, 1));
      const c = process.cpuUsage(c0);
      ac.abort();
      await done;
      console.log(`fan-out W=${W}: ${((c.user + c.system) / U).toFixed(0)} us CPU per update`);
      for (const w of watchers) expect(w.lines).toHaveLength(U);
    }
  }, 120_000);
});
