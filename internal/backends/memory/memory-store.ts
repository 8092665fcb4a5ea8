import { compareKeys, type KeyValue, type WatchEvent } from '../../storage/index.js';

/** One version of a key: the kv from this revision on, or null when the key was deleted at rev. */
interface Version {
  rev: number;
  kv: KeyValue | null;
}

export type WriteOutcome =
  | { ok: true; revision: number; kv: KeyValue; event: WatchEvent }
  | { ok: false; revision: number; kv?: KeyValue };

/**
 * The memory backend's data: every key's version list plus the event log, written and read
 * synchronously. Deliberately naive (lists sort all keys, reads scan versions): it is the reference
 * the other backends are checked against, so being obviously right matters more than being fast.
 */
export class MemoryStore {
  revision = 0;
  compactRevision = 0;
  private readonly versions = new Map<string, Version[]>();
  /** Events with revision > compactRevision, ascending. */
  private events: WatchEvent[] = [];

  latest(key: string): KeyValue | undefined {
    const vs = this.versions.get(key);
    return vs?.[vs.length - 1]?.kv ?? undefined;
  }

  /** The kv of key as of revision (callers have checked the revision is inside the window). */
  at(key: string, revision: number): KeyValue | undefined {
    const vs = this.versions.get(key) ?? [];
    let found: Version | undefined;
    for (const v of vs) if (v.rev <= revision) found = v;
    return found?.kv ?? undefined;
  }

  /** Live keys with the prefix, from startKey on, in byte order, as of revision. */
  range(prefix: string, startKey: string, revision: number): KeyValue[] {
    const keys = [...this.versions.keys()]
      .filter((k) => k.startsWith(prefix) && compareKeys(k, startKey) >= 0)
      .sort(compareKeys);
    const out: KeyValue[] = [];
    for (const k of keys) {
      const kv = revision === this.revision ? this.latest(k) : this.at(k, revision);
      if (kv) out.push(kv);
    }
    return out;
  }

  create(key: string, value: Uint8Array, lease: number): WriteOutcome {
    const cur = this.latest(key);
    if (cur) return { ok: false, revision: this.revision, kv: cur };
    const rev = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev, version: 1, lease };
    return this.commit(kv, { type: 'put', kv });
  }

  update(key: string, value: Uint8Array, expectedModRevision: number, lease: number): WriteOutcome {
    const cur = this.latest(key);
    if (!cur || cur.modRevision !== expectedModRevision) return { ok: false, revision: this.revision, kv: cur };
    const rev = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: cur.createRevision, modRevision: rev, version: cur.version + 1, lease };
    return this.commit(kv, { type: 'put', kv, prevKv: cur });
  }

  delete(key: string, expectedModRevision: number | undefined): WriteOutcome {
    const cur = this.latest(key);
    if (!cur || (expectedModRevision !== undefined && cur.modRevision !== expectedModRevision)) {
      return { ok: false, revision: this.revision, kv: cur };
    }
    const rev = this.revision + 1;
    const tombstone: KeyValue = { key, value: new Uint8Array(0), createRevision: 0, modRevision: rev, version: 0, lease: 0 };
    const out = this.commit(null, { type: 'delete', kv: tombstone, prevKv: cur }, key);
    return { ...out, kv: cur } as WriteOutcome;
  }

  private commit(kv: KeyValue | null, event: WatchEvent, key = event.kv.key): WriteOutcome {
    const rev = ++this.revision;
    let vs = this.versions.get(key);
    if (!vs) this.versions.set(key, (vs = []));
    vs.push({ rev, kv });
    this.events.push(event);
    return { ok: true, revision: rev, kv: kv ?? event.kv, event };
  }

  /** Live keys attached to a lease, in key order. */
  keysWithLease(lease: number): string[] {
    const out: string[] = [];
    for (const k of this.versions.keys()) if (this.latest(k)?.lease === lease) out.push(k);
    return out.sort(compareKeys);
  }

  /** Matching events in (after, until], at most about limit (one event per revision here). */
  history(prefix: string, after: number, until: number, limit: number): WatchEvent[] {
    const out: WatchEvent[] = [];
    // Binary search for the first event after `after` (events ascend by revision).
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.kv.modRevision <= after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.events.length; i++) {
      const ev = this.events[i]!;
      const rev = ev.kv.modRevision;
      if (rev > until || out.length >= limit) break;
      if (ev.kv.key.startsWith(prefix)) out.push(ev);
    }
    return out;
  }

  /** Drops history at and below revision, keeping each key's newest live version <= revision. */
  compact(revision: number): void {
    if (revision <= this.compactRevision) return;
    this.compactRevision = revision;
    this.events = this.events.filter((ev) => ev.kv.modRevision > revision);
    for (const [key, vs] of this.versions) {
      let keep = 0;
      for (let i = 0; i < vs.length; i++) if (vs[i]!.rev <= revision) keep = i;
      const rest = vs.slice(keep);
      if (rest[0]!.rev <= revision && rest[0]!.kv === null) rest.shift();
      if (rest.length === 0) this.versions.delete(key);
      else this.versions.set(key, rest);
    }
  }
}
