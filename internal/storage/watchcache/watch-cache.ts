import type { KubeObject } from '../../api/index.js';
import { batched, realClock, type Clock } from '../../util/index.js';
import type { Backend } from '../backend.js';
import { jsonCodec, type Codec } from '../codec.js';
import { decodeContinue, encodeContinue, keyAfter } from '../continue-token.js';
import { StorageError } from '../errors.js';
import { HISTORY_MAX_AGE_MS, HISTORY_MIN_EVENTS, ageHistory } from '../history-aging.js';
import { parseResourceVersion } from '../object-store-rv.js';
import type { ListObjectsOptions, ListObjectsResult, ObjectEvent, ObjectStore, WatchObjectsOptions } from '../object-store.js';
import { CacheState } from './cache-state.js';
import { runFeed } from './cache-feed.js';
import type { CacheWatcher } from './cache-watcher.js';
import { cacheWatch } from './cache-watch.js';
import { FieldsInterner } from './fields-interner.js';

export interface WatchCacheOptions {
  /** The store that writes go to and that serves what the cache cannot (continue pages, Exact). */
  inner: ObjectStore;
  /** The backend below inner; the cache lists and watches it directly. */
  backend: Backend;
  /** The resource's key root, ending in "/", e.g. "/registry/configmaps/". */
  prefix: string;
  codec?: Codec;
  /** Recent changes kept for watches that resume from a resourceVersion. Default 10000. */
  historySize?: number;
  /**
   * Changes older than about this are dropped from that history once it is quiet (down to the
   * newest HISTORY_MIN_EVENTS); a watch from further back is served by inner. Default
   * HISTORY_MAX_AGE_MS; 0 keeps them.
   */
  historyMaxAgeMs?: number;
  /** Time source of the history aging. Default the real clock. */
  clock?: Clock;
  /** Minimum gap between BOOKMARKs to an idle watcher. Default 60000. */
  bookmarkIntervalMs?: number;
  /**
   * Progress notifications asked of the backend watch. While other resources are written and this
   * one is not, the cache learns that it is still current only from these, so this bounds how long
   * a consistent read waits. Default 100.
   */
  progressIntervalMs?: number;
  /** How long a read "not older than N" waits for the cache to reach N before asking inner. Default 3000. */
  freshWaitMs?: number;
  /**
   * How long a consistent read (resourceVersion unset) waits for the cache to reach the backend's
   * current revision before it goes to inner instead; keep it above progressIntervalMs. Default 150.
   */
  consistentReadWaitMs?: number;
  /** Live events a watcher may have queued before it is cut off with Compacted. Default 10000. */
  watcherQueueLimit?: number;
  /** Stored bytes of the live events a watcher may have queued before it is cut off the same way. Default 64 MiB. */
  watcherQueueBytes?: number;
  /**
   * Hand out the cached objects themselves, deep-frozen, instead of a copy per read. Several times
   * faster for big lists (see the benchmark), but a caller that mutates a result then throws a
   * TypeError; enable only where every consumer treats results as read-only. Default false.
   */
  shareObjects?: boolean;
  onError?: (err: unknown) => void;
}

/** An ObjectStore that serves reads and watches of one resource from memory. */
export interface WatchCache extends ObjectStore {
  /** Resolves once the initial list is loaded (reads before that go to inner). */
  ready(): Promise<void>;
  /** The revision the cache has caught up to. */
  readonly revision: number;
  /** Stops the feed and ends every cache watch. */
  close(): Promise<void>;
}

/**
 * The feed needs progress to learn of revisions it has not seen (a consistent read waits for them);
 * a revision it already has is repeated only this often (or at the bookmark interval, if shorter),
 * as a heartbeat for its watchers' BOOKMARKs. Repeating it every progress interval was most of an
 * idle server's allocation (a timer, a batch and promises per cache, 10 times a second), which kept
 * V8's memory reducer from shrinking the heap after start-up.
 */
const PROGRESS_REPEAT_MS = 1000;

/**
 * Cached objects are shared between readers; by default everything handed out is a private copy.
 * Decoding the object's stored bytes again was the cheapest copy on a quiet machine (5000
 * ConfigMaps: median 33 ms vs 53 ms structuredClone and 42 ms JSON round trip; under load the three
 * are within noise of each other; see watch-cache-bench.test.ts), so the codec used by the
 * feed remembers each decoded object's bytes; objects built later (a DELETED for an object that
 * stopped matching) fall back to structuredClone.
 */
function copyingCodec(codec: Codec): { codec: Codec; copy: (o: KubeObject) => KubeObject } {
  const source = new WeakMap<KubeObject, { value: Uint8Array; revision: number; key?: string }>();
  return {
    codec: {
      encode: (obj) => codec.encode(obj),
      decode(value, revision, key) {
        const obj = codec.decode(value, revision, key);
        source.set(obj, { value, revision, key });
        return obj;
      },
    },
    copy(o) {
      const src = source.get(o);
      return src ? codec.decode(src.value, src.revision, src.key) : structuredClone(o);
    },
  };
}

/**
 * Freezes a decoded object and everything in it. Every object the cache decodes (each watched
 * change, each first read) goes through here: indexed loops and for-in instead of Object.values
 * (an array per object) and a call per leaf were about half the cost (~7 -> ~3.5 us for a 1 KiB
 * ConfigMap with managedFields). Decoded JSON has no inherited enumerable keys, so for-in sees
 * exactly the own ones.
 */
function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) freezeTree(v);
  return v;
}

function freezeTree(o: object): void {
  Object.freeze(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) freezeChild(o[i]);
  } else {
    for (const k in o) freezeChild((o as Record<string, unknown>)[k]);
  }
}

function freezeChild(x: unknown): void {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) freezeTree(x);
}

/**
 * The watch cache decorator (after k8s.io/apiserver's cacher): one backend watch per resource
 * feeds an in-memory copy of its objects and a ring of recent changes. Writes pass through to
 * inner. GET/LIST at "0" or "not older than N", consistent LIST once the cache has caught up with
 * the backend's revision, and watches are served from memory; everything else goes to inner.
 */
export function createWatchCache(o: WatchCacheOptions): WatchCache {
  const copying = copyingCodec(o.codec ?? jsonCodec);
  const codec = o.shareObjects ? (o.codec ?? jsonCodec) : copying.codec;
  const copy = o.shareObjects ? (x: KubeObject) => x : copying.copy;
  const freshWaitMs = o.freshWaitMs ?? 3000;
  const consistentReadWaitMs = o.consistentReadWaitMs ?? 150;
  const state = new CacheState(o.historySize ?? 10_000);
  const fields = new FieldsInterner();
  const watchers = new Set<CacheWatcher>();
  const ac = new AbortController();
  let isReady = false;
  let readyResolve!: () => void;
  const readyPromise = new Promise<void>((r) => (readyResolve = r));
  const waiters = new Set<{ rev: number; done: (ok: boolean) => void }>();
  const maxAge = o.historyMaxAgeMs ?? HISTORY_MAX_AGE_MS;
  const stopAging =
    maxAge > 0 ? ageHistory(o.clock ?? realClock, maxAge / 2, () => state.revision, (rev) => state.trimThrough(rev, HISTORY_MIN_EVENTS)) : () => {};

  const feed = runFeed({
    backend: o.backend,
    codec,
    prefix: o.prefix,
    state,
    watchers,
    progressIntervalMs: o.progressIntervalMs ?? 100,
    progressRepeatMs: Math.min(PROGRESS_REPEAT_MS, o.bookmarkIntervalMs ?? 60_000),
    signal: ac.signal,
    onReady: (r) => {
      isReady = r;
      if (r) readyResolve();
    },
    onRevision: () => {
      for (const w of waiters) if (state.revision >= w.rev) w.done(true);
    },
    onError: o.onError,
    prepare: o.shareObjects ? (x) => deepFreeze(fields.intern(x)) : undefined,
  });

  /** True once the cache holds every change up to rev; false when that takes longer than freshWaitMs. */
  const waitFresh = (rev: number, waitMs = freshWaitMs): Promise<boolean> => {
    if (isReady && state.revision >= rev) return Promise.resolve(true);
    if (!isReady) return Promise.resolve(false);
    return new Promise((resolve) => {
      const w = {
        rev,
        done: (ok: boolean) => {
          clearTimeout(t);
          waiters.delete(w);
          resolve(ok && isReady);
        },
      };
      const t = setTimeout(() => w.done(false), waitMs);
      waiters.add(w);
    });
  };
  const currentBackendRevision = async () => (await o.backend.currentRevision()).revision;
  const covers = (key: string) => key.startsWith(o.prefix);

  /** A page from startKey on of the cached state, which is the state at `revision`. */
  const listFromCache = (prefix: string, lo: ListObjectsOptions, startKey = prefix, revision = state.revision): ListObjectsResult => {
    const limit = lo.limit && lo.limit > 0 ? lo.limit : 0;
    const page = state.page(prefix, startKey, limit, lo.predicate);
    const result: ListObjectsResult = { items: page.entries.map((e) => copy(e.object)), resourceVersion: String(revision) };
    if (page.more) {
      // The next page is read at the same revision (from here while nothing changed since, else
      // from inner: the backend's state at that revision is exactly what the cache held), so the
      // pages stay one consistent snapshot.
      result.continue = encodeContinue(prefix, keyAfter(page.entries.at(-1)?.key ?? prefix + '\u0000'), revision);
      if (lo.predicate.everything && page.remaining > 0) result.remainingItemCount = page.remaining;
    }
    return result;
  };

  return {
    get revision() {
      return state.revision;
    },
    ready: () => readyPromise,
    async close() {
      stopAging();
      ac.abort();
      for (const w of waiters) w.done(false);
      await feed;
    },

    create: (key, obj, opts) => o.inner.create(key, obj, opts),
    guaranteedUpdate: (key, tryUpdate, opts) => o.inner.guaranteedUpdate(key, tryUpdate, opts),
    delete: (key, opts) => o.inner.delete(key, opts),

    async get(key, opts = {}) {
      const rv = parseResourceVersion(opts.resourceVersion);
      if (!covers(key)) return o.inner.get(key, opts);
      if (rv === undefined) {
        // A consistent read of one key: from memory when the cache already holds every change up to
        // the backend's current revision (as a consistent LIST, without waiting), else from the
        // backend at that revision. With shared objects that skips a backend read and a decode per
        // GET. Reading at the revision just established needs no second quorum round: under a write
        // load, each round waits for the writes in flight to be applied.
        if (!o.shareObjects || !isReady) return o.inner.get(key, opts);
        const current = await currentBackendRevision();
        if (state.revision < current) return o.inner.get(key, { ...opts, atRevision: current });
      } else if (!(await waitFresh(rv))) {
        return o.inner.get(key, opts);
      }
      const e = state.get(key);
      if (!e) throw new StorageError('KeyNotFound', `key not found: ${key}`, { key });
      return copy(e.object);
    },

    async list(prefix, lo) {
      const rv = parseResourceVersion(lo.resourceVersion);
      if (lo.continue) {
        const pos = decodeContinue(lo.continue, prefix); // malformed tokens fail the same way either side
        // A next page of a snapshot the cache still holds unchanged is read here, as kube-apiserver's
        // cache serves continuations; otherwise the backend reads at the snapshot's revision.
        // (A continue with a resourceVersion is refused by inner.)
        const plain = !lo.resourceVersion && !lo.resourceVersionMatch;
        if (plain && isReady && covers(prefix) && state.holdsStateAt(pos.revision)) return listFromCache(prefix, lo, pos.startKey, pos.revision);
        return o.inner.list(prefix, lo);
      }
      if (lo.resourceVersionMatch === 'Exact' || !covers(prefix)) return o.inner.list(prefix, lo);
      const fresh = rv === undefined ? await waitFresh(await currentBackendRevision(), consistentReadWaitMs) : await waitFresh(rv);
      if (!fresh) return o.inner.list(prefix, lo);
      return listFromCache(prefix, lo);
    },

    watch(key: string, wo: WatchObjectsOptions): AsyncIterable<ObjectEvent> {
      if (!covers(key) || !isReady) return o.inner.watch(key, wo);
      const deps = {
        state,
        watchers,
        inner: o.inner,
        waitFresh,
        consistentReadWaitMs,
        currentBackendRevision,
        copy: o.shareObjects ? undefined : copy,
        bookmarkIntervalMs: o.bookmarkIntervalMs ?? 60_000,
        queueLimit: o.watcherQueueLimit ?? 10_000,
        queueBytesLimit: o.watcherQueueBytes ?? 64 << 20,
      };
      return batched(() => cacheWatch(deps, key, wo));
    },
  };
}
