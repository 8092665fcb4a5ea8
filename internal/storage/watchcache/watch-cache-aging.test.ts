import { describe, expect, it, vi } from 'vitest';
import { createMemoryBackend } from '../../backends/memory/index.js';
import { FakeClock } from '../../util/index.js';
import { HISTORY_MIN_EVENTS } from '../history-aging.js';
import { createObjectStore } from '../object-store-impl.js';
import { cm, openWatch } from '../testing/object-store-conformance-helpers.js';
import { createWatchCache } from './watch-cache.js';

const P = '/registry/configmaps/';
const rv = (o: { metadata?: { resourceVersion?: string } }) => Number(o.metadata!.resourceVersion);

describe('watch cache history aging', () => {
  it('forgets quiet history in memory; a watch from before it is still complete (served by inner)', async () => {
    const clock = new FakeClock();
    const backend = createMemoryBackend();
    const inner = createObjectStore(backend);
    const innerWatch = vi.spyOn(inner, 'watch');
    const cache = createWatchCache({ inner, backend, prefix: P, progressIntervalMs: 20, historyMaxAgeMs: 1000, clock });
    await cache.ready();
    const created = [];
    for (let i = 0; i < HISTORY_MIN_EVENTS + 50; i++) created.push(await cache.create(`${P}ns/c${i}`, cm(`c${i}`)));
    const last = rv(created.at(-1)!);
    while (cache.revision < last) await new Promise((r) => setTimeout(r, 5));
    clock.advance(1500);
    const from = rv(created[9]!);
    const w = openWatch(cache, P, { resourceVersion: String(from), recursive: true });
    const evs = await w.take(created.length - 10);
    expect(evs.map((e) => e.type)).toEqual(Array(created.length - 10).fill('ADDED'));
    expect(evs.map((e) => rv(e.object))).toEqual(created.slice(10).map(rv));
    expect(innerWatch).toHaveBeenCalledTimes(1); // the cache's own history no longer reached back
    w.close();
    await cache.close();
    await backend.close();
  });
});
