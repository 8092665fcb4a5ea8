import { isApiError, type KubeObject, type WatchEvent } from '../api/index.js';
import { realClock, type Clock } from '../util/index.js';
import type { Client, ResourceRef } from './client.js';
import { Indexer, objectKeyOf, type IndexFunc, type Lister } from './indexer.js';

/**
 * Reactions to changes of an informer's cache. They run synchronously in registration order, one
 * event at a time, after the cache holds the new state; keep them short (enqueue a key).
 * Objects are shared with the cache (and with the API server's watch cache): never mutate them.
 */
export interface EventHandler {
  onAdd?(obj: KubeObject): void;
  /** Also called by a periodic resync (old === new) and by a relist for objects still present. */
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  /**
   * `finalStateUnknown`: the delete was learnt from a relist (the watch missed it, e.g. after a
   * 410), and `obj` is the last state this cache saw.
   */
  onDelete?(obj: KubeObject, finalStateUnknown: boolean): void;
}

export interface InformerOptions {
  namespace?: string;
  clock?: Clock;
  /** Pause before relisting after a failed list or watch (default 1000 ms). */
  retryMs?: number;
  log?: (msg: string, err?: unknown) => void;
}

/**
 * A shared informer for one resource (optionally one namespace): one list + watch feeding an indexed
 * cache and any number of handlers. A watch that ends is resumed from the last resourceVersion seen
 * (bookmarks included); a 410 Expired relists, and objects missing from the new list are reported
 * as deletes, so no delete is ever dropped.
 */
export class SharedInformer {
  readonly indexer = new Indexer();
  private readonly handlers: EventHandler[] = [];
  private synced = false;
  private gone = false;
  private readonly syncWaiters: ((synced: boolean) => void)[] = [];
  private rv: string | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly client: Client,
    readonly ref: ResourceRef,
    private readonly opts: InformerOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
  }

  get lister(): Lister {
    return this.indexer;
  }

  /** Adds an index (existing objects are indexed at once). */
  addIndexer(name: string, fn: IndexFunc): void {
    this.indexer.addIndex(name, fn);
  }

  /**
   * Registers a handler; objects already cached are delivered to it as adds first. With resyncMs,
   * every cached object is delivered again as an update (old === new) that often. Returns a
   * function that removes the handler (and its resync).
   */
  addEventHandler(h: EventHandler, opts: { resyncMs?: number } = {}): () => void {
    this.handlers.push(h);
    for (const [, obj] of this.indexer.entries()) call(h, 'add', obj, this.opts.log);
    let cancel: (() => void) | undefined;
    if (opts.resyncMs && opts.resyncMs > 0) {
      const tick = () => {
        for (const [, obj] of this.indexer.entries()) call(h, 'update', obj, this.opts.log, obj);
        cancel = this.clock.setTimeout(tick, opts.resyncMs!);
      };
      cancel = this.clock.setTimeout(tick, opts.resyncMs);
    }
    return () => {
      cancel?.();
      const i = this.handlers.indexOf(h);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** How many handlers are registered now (a controller that lets a resource go removes its own). */
  get handlerCount(): number {
    return this.handlers.length;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion of the last list, event or bookmark applied. */
  lastSyncResourceVersion(): string | undefined {
    return this.rv;
  }

  /** Resolves once the first list is in the cache (or false when the signal aborts first). */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted || this.gone) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push((synced) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(synced);
      });
    });
  }

  /** Whether run ended because the resource is not served (a deleted CRD's resource). */
  isGone(): boolean {
    return this.gone;
  }

  /**
   * Lists and watches until the signal aborts, or until a list answers 404 NotFound: the resource is
   * no longer served (its CRD was deleted), so the informer stops instead of relisting for ever.
   */
  async run(signal: AbortSignal): Promise<void> {
    const ns = this.opts.namespace;
    while (!signal.aborted) {
      try {
        if (this.rv === undefined) {
          const list = await this.client.list(this.ref, ns, {}).catch((err: unknown) => {
            if (isApiError(err, 'NotFound')) this.gone = true;
            throw err;
          });
          this.replace(list.items);
          this.rv = list.metadata.resourceVersion;
        }
        const events = await this.client.watch(this.ref, ns, { resourceVersion: this.rv, allowWatchBookmarks: true }, signal);
        for await (const ev of events) {
          if (!this.apply(ev)) break;
        }
        // After a 410 the relist starts at once; a watch that just ended is resumed after a pause.
        if (this.rv === undefined) continue;
      } catch (err) {
        if (signal.aborted) break;
        if (this.gone) {
          this.opts.log?.(`informer ${describe(this.ref)}: the resource is not served; informer stopped`, err);
          for (const w of this.syncWaiters.splice(0)) w(false);
          return;
        }
        if (isApiError(err) && (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone')) this.rv = undefined;
        this.opts.log?.(`informer ${describe(this.ref)}: list/watch failed; retrying`, err);
      }
      await pause(this.clock, this.opts.retryMs ?? 1000, signal);
    }
  }

  /** Applies one watch event; false when the watch must be restarted (after an ERROR). */
  private apply(ev: WatchEvent): boolean {
    if (ev.type === 'ERROR') {
      const status = ev.object as unknown as { code?: number; reason?: string };
      // 410: the revision is gone from the history; everything is listed again.
      if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') this.rv = undefined;
      return false;
    }
    const obj = ev.object;
    if (obj.metadata.resourceVersion) this.rv = obj.metadata.resourceVersion;
    if (ev.type === 'BOOKMARK') return true;
    const key = objectKeyOf(obj);
    if (ev.type === 'DELETED') {
      this.indexer.delete(key);
      this.dispatch('delete', obj, undefined, false);
      return true;
    }
    const old = this.indexer.set(key, obj);
    if (old) this.dispatch('update', obj, old);
    else this.dispatch('add', obj);
    return true;
  }

  /** Replaces the cache with a fresh list: adds, updates, and deletes for keys no longer listed. */
  private replace(items: KubeObject[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKeyOf(item);
      seen.add(key);
      const old = this.indexer.set(key, item);
      if (old) this.dispatch('update', item, old);
      else this.dispatch('add', item);
    }
    for (const key of this.indexer.keys()) {
      if (seen.has(key)) continue;
      const old = this.indexer.delete(key)!;
      this.dispatch('delete', old, undefined, true);
    }
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w(true);
    }
  }

  private dispatch(kind: 'add' | 'update' | 'delete', obj: KubeObject, old?: KubeObject, unknown = false): void {
    for (const h of [...this.handlers]) call(h, kind, obj, this.opts.log, old, unknown);
  }
}

function call(h: EventHandler, kind: 'add' | 'update' | 'delete', obj: KubeObject, log?: (msg: string, err?: unknown) => void, old?: KubeObject, unknown = false): void {
  try {
    if (kind === 'add') h.onAdd?.(obj);
    else if (kind === 'update') h.onUpdate?.(old!, obj);
    else h.onDelete?.(obj, unknown);
  } catch (err) {
    log?.('informer: event handler threw', err);
  }
}

function describe(ref: ResourceRef): string {
  return `${ref.group || 'core'}/${ref.version}/${ref.resource}`;
}

/** Waits ms on the clock, or until the signal aborts; never rejects. */
export function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
