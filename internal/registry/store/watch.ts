import { apiErrors, apiVersionOf, fieldErrors, type FieldError, type WatchEvent } from '../../api/index.js';
import { isStorageError, type ObjectEvent } from '../../storage/index.js';
import { batched, batchesOf, type Batched } from '../../util/index.js';
import type { ResourceDefinition } from '../definition.js';
import type { WatchParams } from '../request.js';
import { invalidOptions, toApiError, tooOldMessage } from './errors.js';
import { collectionPrefix } from './keys.js';
import { buildPredicate } from './selection.js';
import type { GenericStore } from './store.js';
import type { StoreContext } from './types.js';
import { present } from './util.js';

/**
 * WATCH (api-surface §5): validates the options, starts the ObjectStore watch at once (so the
 * initial state is read now, not when the caller first pulls), and maps its events to API watch
 * events. A too-old resourceVersion, or a watcher that fell behind, ends the stream with one ERROR
 * event carrying a 410 Expired Status, as kube-apiserver does (HTTP 200 + ERROR).
 */
export async function watchResource(
  store: GenericStore,
  ctx: StoreContext,
  params: WatchParams,
  signal: AbortSignal,
  name?: string,
): Promise<Batched<WatchEvent>> {
  const def = store.definition;
  validateWatchParams(params);
  const predicate = buildPredicate(def, params.labelSelector, params.fieldSelector);
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  if (signal.aborted) stop.abort(signal.reason);
  else signal.addEventListener('abort', onAbort, { once: true });
  const cancelTimer = params.timeoutSeconds && params.timeoutSeconds > 0 ? store.deps.clock.setTimeout(() => stop.abort(), params.timeoutSeconds * 1000) : undefined;
  const source = store.deps.objectStore.watch(name ? store.key(ctx, name) : collectionPrefix(def, ctx.namespace), {
    resourceVersion: params.resourceVersion,
    sendInitialEvents: params.sendInitialEvents,
    allowBookmarks: params.allowWatchBookmarks,
    recursive: !name,
    predicate,
    signal: stop.signal,
  });
  const it = batchesOf(source)[Symbol.asyncIterator]();
  // Pull the first batch now so the watch (and its initial snapshot) starts before we return.
  const first = it.next().then(
    (r) => ({ ok: true as const, r }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  const cleanup = () => {
    cancelTimer?.();
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  };
  const bookmark = (ev: ObjectEvent): WatchEvent => {
    const apiVersion = apiVersionOf(def);
    const kind = def.kind;
    return { type: 'BOOKMARK', object: { kind, apiVersion, metadata: ev.object.metadata } };
  };
  const shared = sharedEvents(def);
  const toEvent = (ev: ObjectEvent): WatchEvent => {
    if (ev.type === 'BOOKMARK') return bookmark(ev);
    let out = shared.get(ev);
    if (out === undefined) {
      out = { type: ev.type, object: present(def, ev.object) };
      shared.set(ev, out);
    }
    return out;
  };
  const errorEvent = (err: unknown): WatchEvent => {
    const apiErr = isStorageError(err, 'Compacted')
      ? apiErrors.expired(tooOldMessage(Number(params.resourceVersion) || err.details.revision, err.details.compactRevision))
      : toApiError(err, def, name);
    return { type: 'ERROR', object: apiErr.status as unknown as WatchEvent['object'] };
  };
  // Batches pass through as batches (util/batched.ts): one promise per batch, not per event.
  async function* batches(): AsyncGenerator<WatchEvent[]> {
    try {
      const head = await first;
      if (!head.ok) {
        if (!stop.signal.aborted) yield [errorEvent(head.err)];
        return;
      }
      if (head.r.done) return;
      yield head.r.value.map(toEvent);
      for (;;) {
        let next: IteratorResult<ObjectEvent[]>;
        try {
          next = await it.next();
        } catch (err) {
          if (!stop.signal.aborted) yield [errorEvent(err)];
          return;
        }
        if (next.done) return;
        yield next.value.map(toEvent);
      }
    } finally {
      cleanup();
      await it.return?.();
    }
  }
  return batched(batches);
}

/**
 * The API event for each storage event, per definition. The watch cache hands every watcher of a
 * change the same storage event, so the watchers of one resource share one API event too (and the
 * apiserver its serialized bytes, keyed by that event) instead of presenting it once per watcher.
 * Storage that builds events per watcher just misses. Consumers treat events as read-only.
 */
const eventsByDefinition = new WeakMap<ResourceDefinition, WeakMap<ObjectEvent, WatchEvent>>();

function sharedEvents(def: ResourceDefinition): WeakMap<ObjectEvent, WatchEvent> {
  let m = eventsByDefinition.get(def);
  if (m === undefined) eventsByDefinition.set(def, (m = new WeakMap()));
  return m;
}

function validateWatchParams(params: WatchParams): void {
  const errs: FieldError[] = [];
  if (params.sendInitialEvents !== undefined) {
    if (params.resourceVersionMatch !== 'NotOlderThan') {
      errs.push(fieldErrors.forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (params.sendInitialEvents && !params.allowWatchBookmarks) {
      errs.push(fieldErrors.forbidden('allowWatchBookmarks', 'allowWatchBookmarks must be set to true when sendInitialEvents is provided'));
    }
  } else if (params.resourceVersionMatch) {
    errs.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
  }
  if (errs.length) throw invalidOptions('ListOptions', errs);
}
