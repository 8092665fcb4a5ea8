import type { Backend } from '../backend.js';
import type { Codec } from '../codec.js';
import { decodeKv } from '../codec.js';
import { StorageError } from '../errors.js';
import { decodeChange } from '../object-store-events.js';
import type { CacheState } from './cache-state.js';
import type { CacheWatcher } from './cache-watcher.js';

export interface FeedOptions {
  backend: Backend;
  codec: Codec;
  prefix: string;
  state: CacheState;
  watchers: Set<CacheWatcher>;
  progressIntervalMs: number;
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
  let backoffMs = 10;
  while (!o.signal.aborted) {
    try {
      const snap = await o.backend.list(o.prefix);
      o.state.reset(
        snap.kvs.map((kv) => ({ key: kv.key, object: prepare(decodeKv(o.codec, kv)) })),
        snap.revision,
      );
      o.onReady(true);
      o.onRevision();
      backoffMs = 10;
      const stream = o.backend.watch(o.prefix, { afterRevision: snap.revision, signal: o.signal, progressIntervalMs: o.progressIntervalMs });
      for await (const batch of stream) {
        for (const ev of batch.events) {
          const ch = prepare(decodeChange(o.codec, ev));
          o.state.apply(ch);
          for (const w of o.watchers) w.push(ch);
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
