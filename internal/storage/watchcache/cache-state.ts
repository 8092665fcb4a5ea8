import type { KubeObject } from '../../api/index.js';
import type { DecodedChange } from '../object-store-events.js';
import type { SelectionPredicate } from '../object-store.js';
import { lowerBound, SortedKeys } from './sorted-keys.js';

/** One live object in the cache. `object` is shared and never handed out; readers get copies. */
export interface CachedEntry {
  key: string;
  /** The object's modRevision. */
  revision: number;
  readonly object: KubeObject;
}

/**
 * A cached object kept as its stored bytes until someone reads it. Every node's cache sees every
 * write, but most objects are never read or watched there (or are read later, once): decoding
 * (and freezing) each one as it arrived was 6-10% of a node's CPU under a create load.
 */
export class LazyEntry implements CachedEntry {
  private decoded: KubeObject | undefined;
  private value: Uint8Array | undefined;

  constructor(
    readonly key: string,
    readonly revision: number,
    value: Uint8Array,
    private readonly decode: (value: Uint8Array, revision: number, key: string) => KubeObject,
  ) {
    this.value = value;
  }

  get object(): KubeObject {
    if (this.decoded === undefined) {
      this.decoded = this.decode(this.value!, this.revision, this.key);
      this.value = undefined;
    }
    return this.decoded;
  }
}

/** A change as the feed hands it over: the new entry (absent for a delete) and the decoded view. */
export interface CacheChange extends DecodedChange {
  entry?: CachedEntry;
}

/**
 * The cached state of one resource prefix at `revision`: current objects by key (with a lazily
 * maintained sorted key list for ordered pages) and a bounded ring of recent changes, so a watch from
 * any revision >= ringStart replays from memory. Synchronous and single-threaded by design: the
 * feed applies batches and readers take snapshots within one tick, so no reader sees half a batch.
 */
export class CacheState {
  revision = 0;
  /** The revision of the last change applied (or of the last snapshot loaded). */
  lastChange = 0;
  /** Every change with revision > ringStart is in the ring. */
  ringStart = 0;
  private readonly objects = new Map<string, CachedEntry>();
  private readonly sorted = new SortedKeys();
  private ring: DecodedChange[] = [];
  private ringHead = 0;

  constructor(private readonly ringCapacity: number) {}

  /** Replaces everything with a fresh snapshot (initial load or relist). */
  reset(entries: CachedEntry[], revision: number): void {
    this.objects.clear();
    for (const e of entries) this.objects.set(e.key, e);
    this.sorted.reset(this.objects.keys());
    this.ring = [];
    this.ringHead = 0;
    this.revision = revision;
    this.ringStart = revision;
    this.lastChange = revision;
  }

  apply(ch: CacheChange): void {
    const entry = ch.entry ?? (ch.object ? { key: ch.key, revision: ch.revision, object: ch.object } : undefined);
    if (entry) {
      if (!this.objects.has(ch.key)) this.sorted.add(ch.key);
      this.objects.set(ch.key, entry);
    } else if (this.objects.delete(ch.key)) {
      this.sorted.remove(ch.key);
    }
    this.ring.push(ch);
    if (this.ring.length - this.ringHead > this.ringCapacity) {
      // Evict whole revisions only, so "everything after ringStart is here" stays true.
      const evicted = this.ring[this.ringHead++]!;
      while (this.ringHead < this.ring.length && this.ring[this.ringHead]!.revision === evicted.revision) this.ringHead++;
      this.ringStart = evicted.revision;
      if (this.ringHead > 1024 && this.ringHead * 2 > this.ring.length) {
        this.ring = this.ring.slice(this.ringHead);
        this.ringHead = 0;
      }
    }
    if (ch.revision > this.revision) this.revision = ch.revision;
    if (ch.revision > this.lastChange) this.lastChange = ch.revision;
  }

  /**
   * True when the cached state is the state at `revision`: the cache has reached it and nothing
   * under its prefix changed after it. A page of a list pinned to that revision can then be read
   * here (a snapshot loaded later than `revision` answers false: what happened between is unknown).
   */
  holdsStateAt(revision: number): boolean {
    return revision > 0 && this.lastChange <= revision && revision <= this.revision;
  }

  /**
   * Drops whole revisions <= revision from the ring while more than `keep` changes remain (aging a
   * quiet cache: a watch from further back is then served by the store, see cache-watch.ts).
   */
  trimThrough(revision: number, keep: number): void {
    while (this.ring.length - this.ringHead > keep && this.ring[this.ringHead]!.revision <= revision) {
      const rev = this.ring[this.ringHead]!.revision;
      while (this.ringHead < this.ring.length && this.ring[this.ringHead]!.revision === rev) this.ringHead++;
      this.ringStart = rev;
    }
    if (this.ringHead > 0 && this.ringHead * 2 >= this.ring.length) {
      this.ring = this.ring.slice(this.ringHead);
      this.ringHead = 0;
    }
  }

  advance(revision: number): void {
    if (revision > this.revision) this.revision = revision;
  }

  get(key: string): CachedEntry | undefined {
    return this.objects.get(key);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Changes with revision > after, or undefined when the ring no longer reaches back that far. */
  changesAfter(after: number): DecodedChange[] | undefined {
    if (after < this.ringStart) return undefined;
    const out: DecodedChange[] = [];
    for (let i = this.ringHead; i < this.ring.length; i++) if (this.ring[i]!.revision > after) out.push(this.ring[i]!);
    return out;
  }

  /**
   * Up to `limit` (0 = all) entries under prefix from startKey on, in key order, that match pred.
   * `more` tells whether matching-candidate keys remain; `remaining` counts them (prefix keys only).
   */
  page(prefix: string, startKey: string, limit: number, pred: SelectionPredicate): { entries: CachedEntry[]; more: boolean; remaining: number } {
    const keys = this.sorted.keys();
    let i = lowerBound(keys, startKey < prefix ? prefix : startKey);
    const entries: CachedEntry[] = [];
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      if (!key.startsWith(prefix)) break;
      if (limit > 0 && entries.length >= limit) break;
      const e = this.objects.get(key)!;
      if (pred.everything || pred.matches(e.object)) entries.push(e);
    }
    const end = i < keys.length && keys[i]!.startsWith(prefix) ? lowerBound(keys, prefixEnd(prefix)) : i;
    return { entries, more: end > i, remaining: end - i };
  }
}

/** The smallest key greater than every key with this prefix (prefixes here are ASCII paths). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
