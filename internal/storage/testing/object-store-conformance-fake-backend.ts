import type { Backend, GetResult, KeyValue, ListResult, WatchBatch, WatchEvent, WatchOptions, WriteResult } from '../backend.js';
import { StorageError } from '../errors.js';

/**
 * A deliberately small, unoptimised Backend for the object-store tests, so they do not depend on
 * internal/backends (storage must not import backends). Full history per key, linear scans,
 * progress notifications on a timer. Not for production.
 */
export function createFakeBackend(): Backend & { expireLease(id: number): Promise<void> } {
  let rev = 0;
  let compactRev = 0;
  let nextLease = 1;
  const history = new Map<string, { rev: number; kv?: KeyValue }[]>();
  const log: { rev: number; ev: WatchEvent }[] = [];
  let wake = new Set<() => void>();
  let closed = false;

  const at = (key: string, r: number) => {
    const h = history.get(key) ?? [];
    for (let i = h.length - 1; i >= 0; i--) if (h[i]!.rev <= r) return h[i]!.kv;
    return undefined;
  };
  const readRev = (r?: number) => {
    if (!r) return rev;
    if (r < compactRev) throw new StorageError('Compacted', `revision ${r} compacted (${compactRev})`, { revision: r, compactRevision: compactRev });
    if (r > rev) throw new StorageError('FutureRevision', `revision ${r} is in the future (${rev})`, { revision: r, currentRevision: rev });
    return r;
  };
  const commit = (key: string, kv: KeyValue | undefined, ev: WatchEvent) => {
    const h = history.get(key) ?? [];
    h.push({ rev, kv });
    history.set(key, h);
    log.push({ rev, ev });
    const w = wake;
    wake = new Set();
    for (const f of w) f();
  };
  const put = (key: string, value: Uint8Array, lease: number, prev?: KeyValue): WriteResult => {
    rev++;
    const kv: KeyValue = {
      key,
      value,
      createRevision: prev ? prev.createRevision : rev,
      modRevision: rev,
      version: prev ? prev.version + 1 : 1,
      lease,
    };
    commit(key, kv, { type: 'put', kv, prevKv: prev });
    return { revision: rev, succeeded: true, kv };
  };
  const del = (key: string, prev: KeyValue): WriteResult => {
    rev++;
    const tomb: KeyValue = { key, value: new Uint8Array(), createRevision: 0, modRevision: rev, version: 0, lease: 0 };
    commit(key, undefined, { type: 'delete', kv: tomb, prevKv: prev });
    return { revision: rev, succeeded: true, kv: prev };
  };

  const backend = {
    async get(key: string, opts: { revision?: number } = {}): Promise<GetResult> {
      const r = readRev(opts.revision);
      return { revision: r, kv: at(key, r) };
    },
    async list(prefix: string, opts: { revision?: number; limit?: number; startKey?: string; countOnly?: boolean } = {}): Promise<ListResult> {
      const r = readRev(opts.revision);
      const start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
      const keys = [...history.keys()].filter((k) => k.startsWith(prefix) && k >= start).sort();
      const all = keys.map((k) => at(k, r)).filter((kv): kv is KeyValue => kv !== undefined);
      const limit = opts.limit || all.length;
      return { revision: r, kvs: opts.countOnly ? [] : all.slice(0, limit), more: all.length > limit, count: all.length };
    },
    async create(key: string, value: Uint8Array, opts: { lease?: number } = {}): Promise<WriteResult> {
      if (at(key, rev)) throw new StorageError('KeyExists', `key exists: ${key}`, { key });
      return put(key, value, opts.lease ?? 0);
    },
    async update(key: string, value: Uint8Array, expected: number, opts: { lease?: number } = {}): Promise<WriteResult> {
      const cur = at(key, rev);
      if (!cur || cur.modRevision !== expected) return { revision: rev, succeeded: false, kv: cur };
      return put(key, value, opts.lease ?? 0, cur);
    },
    async delete(key: string, opts: { expectedModRevision?: number } = {}): Promise<WriteResult> {
      const cur = at(key, rev);
      if (!cur || (opts.expectedModRevision !== undefined && cur.modRevision !== opts.expectedModRevision)) {
        return { revision: rev, succeeded: false, kv: cur };
      }
      return del(key, cur);
    },
    async *watch(prefix: string, opts: WatchOptions): AsyncGenerator<WatchBatch> {
      if (opts.afterRevision > 0 && opts.afterRevision < compactRev) {
        throw new StorageError('Compacted', `watch from ${opts.afterRevision}: compacted (${compactRev})`, { revision: opts.afterRevision, compactRevision: compactRev });
      }
      let pos = opts.afterRevision || rev;
      while (!opts.signal.aborted && !closed) {
        const events = log.filter((e) => e.rev > pos && e.ev.kv.key.startsWith(prefix)).map((e) => e.ev);
        if (events.length > 0 || pos < rev) {
          pos = rev;
          if (events.length > 0) yield { revision: pos, events };
          continue;
        }
        const progressed = await new Promise<boolean>((resolve) => {
          const timer = opts.progressIntervalMs ? setTimeout(() => done(true), opts.progressIntervalMs) : undefined;
          const done = (p: boolean) => {
            clearTimeout(timer);
            wake.delete(onWake);
            opts.signal.removeEventListener('abort', onAbort);
            resolve(p);
          };
          const onWake = () => done(false);
          const onAbort = () => done(false);
          wake.add(onWake);
          opts.signal.addEventListener('abort', onAbort, { once: true });
        });
        if (progressed && !opts.signal.aborted) yield { revision: rev, events: [] };
      }
    },
    async grantLease(_ttl: number): Promise<number> {
      return nextLease++;
    },
    /** Test hook: the lease expired, its keys go. */
    async expireLease(id: number): Promise<void> {
      for (const key of [...history.keys()]) {
        const cur = at(key, rev);
        if (cur && cur.lease === id) del(key, cur);
      }
    },
    async currentRevision() {
      return { revision: rev, compactRevision: compactRev };
    },
    async compact(r: number): Promise<void> {
      compactRev = Math.max(compactRev, r);
      for (const h of history.values()) {
        let keep = 0;
        for (let i = 0; i < h.length; i++) if (h[i]!.rev <= r) keep = i;
        h.splice(0, keep);
      }
    },
    async close(): Promise<void> {
      closed = true;
      for (const f of wake) f();
    },
  };
  return backend;
}
