import type { Backend } from './backend.js';
import { decodeKv } from './codec.js';
import type { ResolvedObjectStoreOptions } from './object-store-impl.js';
import { bookmarkEvent, decodeChange, toObjectEvent } from './object-store-events.js';
import { parseResourceVersion, waitForRevision } from './object-store-rv.js';
import type { ObjectEvent, WatchObjectsOptions } from './object-store.js';

/** Recursive watches cover "<key>/..." only, so /registry/pods/a never sees /registry/pods/ab. */
export const watchPrefix = (key: string, recursive: boolean) => (recursive && !key.endsWith('/') ? key + '/' : key);

/** True when a watch starts with synthetic ADDED events for the current state. */
export function wantsInitialEvents(wo: Pick<WatchObjectsOptions, 'sendInitialEvents'>, rv: number | undefined): boolean {
  return wo.sendInitialEvents ?? (rv === undefined || rv === 0);
}

/**
 * WATCH over the backend (api-surface §5): optional initial state read at one snapshot revision,
 * then the backend's changes strictly after it (so nothing is missed or doubled), translated per
 * predicate. Backend progress notifications become BOOKMARKs, at most one per bookmarkIntervalMs.
 * Backend Compacted errors propagate unchanged. A resourceVersion ahead of the backend fails with
 * FutureRevision after futureRevisionWaitMs.
 */
export async function* watchObjects(
  backend: Backend,
  opts: ResolvedObjectStoreOptions,
  key: string,
  wo: WatchObjectsOptions,
): AsyncGenerator<ObjectEvent> {
  const rv = parseResourceVersion(wo.resourceVersion);
  const prefix = watchPrefix(key, wo.recursive);
  const inRange = (k: string) => wo.recursive || k === key;
  const pred = wo.predicate;
  let after = rv ?? 0;
  if (wantsInitialEvents(wo, rv)) {
    if (rv !== undefined && rv > 0) await waitForRevision(backend, rv, opts.futureRevisionWaitMs);
    const snap = wo.recursive ? await backend.list(prefix) : await backend.get(key);
    const kvs = 'kvs' in snap ? snap.kvs : snap.kv ? [snap.kv] : [];
    for (const kv of kvs) {
      if (wo.signal.aborted) return;
      const obj = decodeKv(opts.codec, kv);
      if (pred.everything || pred.matches(obj)) yield { type: 'ADDED', object: obj };
    }
    after = snap.revision;
    if (wo.sendInitialEvents) yield bookmarkEvent(after, true);
  } else if (rv !== undefined && rv > 0) {
    // A revision this store has not reached yet: wait briefly (an HA follower catching up), then
    // FutureRevision, as upstream answers "Too large resource version" instead of hanging.
    await waitForRevision(backend, rv, opts.futureRevisionWaitMs);
  }
  let lastSentMs = Date.now();
  const stream = backend.watch(prefix, {
    afterRevision: after,
    signal: wo.signal,
    progressIntervalMs: wo.allowBookmarks ? opts.bookmarkIntervalMs : undefined,
  });
  for await (const batch of stream) {
    let emitted = false;
    for (const ev of batch.events) {
      if (!inRange(ev.kv.key)) continue;
      const out = toObjectEvent(decodeChange(opts.codec, ev), pred);
      if (out) {
        emitted = true;
        yield out;
      }
    }
    const now = Date.now();
    if (emitted) lastSentMs = now;
    // Bookmarks tell a filtered or idle watcher how far it has seen; 0.9 absorbs timer jitter.
    else if (wo.allowBookmarks && now - lastSentMs >= opts.bookmarkIntervalMs * 0.9) {
      lastSentMs = now;
      yield bookmarkEvent(batch.revision);
    }
  }
}
