import type { KubeObject } from '../../api/index.js';
import type { Backend, KeyValue, WatchEvent } from '../backend.js';
import type { Codec } from '../codec.js';
import { StorageError } from '../errors.js';
import { eventBytes } from '../keys.js';
import { LazyEntry, type CacheChange, type CacheState, type CachedEntry } from './cache-state.js';
import type { CacheWatcher } from './cache-watcher.js';

export interface FeedOptions {
  backend: Backend;
  codec: Codec;
  prefix: string;
  state: CacheState;
  watchers: Set<CacheWatcher>;
  progressIntervalMs: number;
  /** How often a revision the feed already has is repeated (see WatchOptions.progressRepeatMs). */
  progressRepeatMs?: number;
  signal: AbortSignal;
  /** Called after the initial load or a relist, and after each applied batch. */
  onRevision: () => void;
  onReady: (ready: boolean) => void;
  onError?: (err: unknown) => void;
  /** Applied to every decoded object before it enters the cache (freezing, when objects are shared). */
  prepare?: <T>(obj: T) => T;
}

/**
 * Keeps the cache state in step with the backend: list the prefix, then one backend watch from that
 * revision. When the watch breaks (compaction, lagging, backend restart) the cache relists, and every
 * cache watcher ends with Compacted because it may have missed changes; its client relists too.
 */
export async function runFeed(o: FeedOptions): Promise<void> {
  const prepare = o.prepare ?? (<T>(x: T) => x);
  const decode = (value: Uint8Array, revision: number, key: string) => prepare(o.codec.decode(value, revision, key));
  const entry = (kv: KeyValue) => new LazyEntry(kv.key, kv.modRevision, kv.value, decode);
  let backoffMs = 10;
  while (!o.signal.aborted) {
    try {
      const snap = await o.backend.list(o.prefix);
      o.state.reset(snap.kvs.map(entry), snap.revision);
      o.onReady(true);
      o.onRevision();
      backoffMs = 10;
      const stream = o.backend.watch(o.prefix, { afterRevision: snap.revision, signal: o.signal, progressIntervalMs: o.progressIntervalMs, progressRepeatMs: o.progressRepeatMs });
      for await (const batch of stream) {
        for (const ev of batch.events) {
          const ch = lazyChange(ev, o.state.get(ev.kv.key), entry);
          o.state.apply(ch);
          for (const w of o.watchers) w.push(ch);
          // The live watchers now hold the events they share (and, through them, whatever the
          // layers above cached per event); the ring must not keep those alive as well.
          ch.events = undefined;
        }
        o.state.advance(batch.revision);
        for (const w of o.watchers) w.progress(o.state.revision);
        o.onRevision();
      }
      if (o.signal.aborted) break;
      throw new StorageError('Unavailable', 'backend watch ended');
    } catch (err) {
      if (o.signal.aborted) break;
      o.onError?.(err);
      o.onReady(false);
      for (const w of o.watchers) w.fail(new StorageError('Compacted', 'watch cache lost its backend watch; relist', {}, { cause: err }));
      o.watchers.clear();
      await new Promise((r) => setTimeout(r, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 1000);
    }
  }
  o.onReady(false);
  for (const w of o.watchers) w.end();
}

/**
 * A change whose objects are decoded when first read (by a watcher, a read, a predicate). The
 * previous object is the cache's current entry for the key when that is the same revision, so an
 * update or delete never decodes its previous value again.
 */
function lazyChange(ev: WatchEvent, current: CachedEntry | undefined, entry: (kv: KeyValue) => CachedEntry): CacheChange {
  const next = ev.type === 'put' ? entry(ev.kv) : undefined;
  const prevKv = ev.prevKv;
  const before = prevKv && (current?.revision === prevKv.modRevision ? current : entry(prevKv));
  return {
    key: ev.kv.key,
    revision: ev.kv.modRevision,
    entry: next,
    hasObject: next !== undefined,
    hasPrev: before !== undefined,
    events: undefined,
    bytes: eventBytes(ev),
    get object(): KubeObject | undefined {
      return next?.object;
    },
    get prev(): KubeObject | undefined {
      return before?.object;
    },
  };
}
