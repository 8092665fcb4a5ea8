import type { ObjectStore } from '../object-store.js';
import { createWatchCache, type WatchCache, type WatchCacheOptions } from './watch-cache.js';

/** An ObjectStore that sends each key to the watch cache of its resource, or to inner when none. */
export interface WatchCacheRouter extends ObjectStore {
  /** Starts a cache for a resource's key root (ending in "/"); idempotent. CRDs are added live. */
  add(prefix: string): WatchCache;
  /** Stops and drops the cache of prefix (its watchers end); keys under it go to inner again. */
  remove(prefix: string): Promise<void>;
  /** The cached prefixes. */
  prefixes(): string[];
  close(): Promise<void>;
}

export type WatchCacheRouterOptions = Omit<WatchCacheOptions, 'prefix'>;

/**
 * The registry holds one ObjectStore for every resource, while a watch cache covers one resource
 * prefix; the router bridges the two. A key belongs to the cache whose prefix is the longest one
 * it starts with; prefixes end in "/", so "/registry/pods/" never catches "/registry/podtemplates/x".
 */
export function createWatchCacheRouter(opts: WatchCacheRouterOptions): WatchCacheRouter {
  const caches = new Map<string, WatchCache>();
  // Candidate prefixes of a key are its leading path segments; a few map lookups beat a scan.
  const route = (key: string): ObjectStore => {
    let best: WatchCache | undefined;
    for (let i = key.indexOf('/', 1); i > 0; i = key.indexOf('/', i + 1)) {
      const c = caches.get(key.slice(0, i + 1));
      if (c) best = c;
    }
    return best ?? opts.inner;
  };
  return {
    add(prefix) {
      if (!prefix.endsWith('/')) throw new Error(`watch cache prefix must end in "/": ${prefix}`);
      let c = caches.get(prefix);
      if (!c) caches.set(prefix, (c = createWatchCache({ ...opts, prefix })));
      return c;
    },
    async remove(prefix) {
      const c = caches.get(prefix);
      caches.delete(prefix);
      await c?.close();
    },
    prefixes: () => [...caches.keys()],
    async close() {
      const all = [...caches.values()];
      caches.clear();
      await Promise.all(all.map((c) => c.close()));
    },
    // Writes skip the cache: it would pass them to inner anyway.
    create: (key, obj, o) => opts.inner.create(key, obj, o),
    guaranteedUpdate: (key, fn, o) => opts.inner.guaranteedUpdate(key, fn, o),
    delete: (key, o) => opts.inner.delete(key, o),
    get: (key, o) => route(key).get(key, o),
    list: (prefix, o) => route(prefix).list(prefix, o),
    watch: (key, o) => route(key).watch(key, o),
  };
}
