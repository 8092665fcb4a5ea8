import type { KubeObject } from '../../api/index.js';
import { batchesOf } from '../../util/index.js';
import { bookmarkEvent, toObjectEvent } from '../object-store-events.js';
import { parseResourceVersion } from '../object-store-rv.js';
import { wantsInitialEvents, watchPrefix } from '../object-store-watch.js';
import type { ObjectEvent, ObjectStore, WatchObjectsOptions } from '../object-store.js';
import type { CacheState } from './cache-state.js';
import { CacheWatcher } from './cache-watcher.js';

export interface CacheWatchDeps {
  state: CacheState;
  watchers: Set<CacheWatcher>;
  inner: ObjectStore;
  waitFresh: (revision: number, waitMs?: number) => Promise<boolean>;
  consistentReadWaitMs: number;
  currentBackendRevision: () => Promise<number>;
  /** A private copy of a cached object; absent when cached objects are shared (read-only). */
  copy?: (o: KubeObject) => KubeObject;
  bookmarkIntervalMs: number;
  queueLimit: number;
  queueBytesLimit: number;
}

/**
 * A watch served from the cache, with the same semantics as the plain store's (object-store-watch.ts).
 * The start (initial snapshot or ring replay) and the registration for live changes happen in one
 * synchronous step, so no change falls between them. When the cache cannot serve the start (it
 * lags past freshWaitMs, or the resourceVersion is older than the ring) the watch goes to inner,
 * which replays from the backend's history or fails with Compacted. Events come in batches
 * (CacheWatcher.batches): what queued up for the watcher since its consumer last asked.
 */
export async function* cacheWatch(d: CacheWatchDeps, key: string, wo: WatchObjectsOptions): AsyncGenerator<ObjectEvent[]> {
  const rv = parseResourceVersion(wo.resourceVersion);
  const initial = wantsInitialEvents(wo, rv);
  // "" must be consistent (caught up with the backend); "0" takes the cache as it is; N waits for N.
  const fresh =
    rv === undefined
      ? initial
        ? await d.waitFresh(await d.currentBackendRevision(), d.consistentReadWaitMs)
        : await d.waitFresh(0)
      : await d.waitFresh(rv);
  if (!fresh) return yield* batchesOf(d.inner.watch(key, wo));

  const prefix = watchPrefix(key, wo.recursive);
  const copy = d.copy;
  const w = new CacheWatcher({
    key: prefix,
    recursive: wo.recursive,
    predicate: wo.predicate,
    allowBookmarks: wo.allowBookmarks ?? false,
    queueLimit: d.queueLimit,
    queueBytesLimit: d.queueBytesLimit,
    bookmarkIntervalMs: d.bookmarkIntervalMs,
    copy: copy && ((ev) => copyEvent(ev, copy)),
  });
  // --- synchronous from here to registration ---
  if (initial) {
    const entries = wo.recursive ? d.state.page(prefix, prefix, 0, wo.predicate).entries : [d.state.get(key)].filter((e) => e !== undefined);
    for (const e of entries) if (wo.predicate.everything || wo.predicate.matches(e.object)) w.pushBacklog(addedEvent(e.object));
    if (wo.sendInitialEvents) w.pushBacklog(bookmarkEvent(d.state.revision, true));
  } else if (rv !== undefined && rv > 0) {
    const changes = d.state.changesAfter(rv);
    if (!changes) return yield* batchesOf(d.inner.watch(key, wo));
    for (const ch of changes) {
      // Not remembered on the ring's change: that would keep the event (and the bytes cached for
      // it above) for as long as the change stays in the ring.
      const ev = w.inRange(ch.key) ? toObjectEvent(ch, wo.predicate, false) : undefined;
      if (ev) w.pushBacklog(ev);
    }
  }
  d.watchers.add(w);
  // --- end of synchronous section ---
  try {
    yield* w.batches(wo.signal);
  } finally {
    d.watchers.delete(w);
  }
}

/**
 * The initial ADDED event of a cached object, one per object: every watch that starts with initial
 * events gets the same (read-only) event for it, so the layers above present and serialize each
 * object once (they cache per event) instead of once per starting watcher. Held weakly by the
 * object, so it and what was cached for it go when the cache lets go of that version.
 */
const addedEvents = new WeakMap<KubeObject, ObjectEvent>();

function addedEvent(object: KubeObject): ObjectEvent {
  let ev = addedEvents.get(object);
  if (ev === undefined) addedEvents.set(object, (ev = { type: 'ADDED', object }));
  return ev;
}

/**
 * A private copy of an event for one watcher. The previous object is copied only when read: the
 * API watch never reads it, and copying it for every watcher of every MODIFIED/DELETED doubled the
 * per-watcher decode work of a fan-out.
 */
function copyEvent(ev: ObjectEvent, copy: (o: KubeObject) => KubeObject): ObjectEvent {
  const out: ObjectEvent = { type: ev.type, object: copy(ev.object) };
  // Not read here: the cache's prevObject may itself be decoded only when asked for.
  if ('prevObject' in ev) {
    let copied: KubeObject | undefined;
    Object.defineProperty(out, 'prevObject', {
      enumerable: true,
      configurable: true,
      get: () => {
        const prev = ev.prevObject;
        return prev ? (copied ??= copy(prev)) : undefined;
      },
    });
  }
  return out;
}
