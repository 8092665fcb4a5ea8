import type { KubeObject } from '../../api/index.js';
import type { ObjectEvent, ObjectStore, SelectionPredicate, WatchObjectsOptions } from '../object-store.js';

/** A watch under test: events buffer up as they arrive; `take` waits for the next n. */
export interface OpenWatch {
  events: ObjectEvent[];
  /** The error the stream ended with, if any. */
  error?: unknown;
  ended: boolean;
  /** Waits until n more events than already taken have arrived (or timeoutMs), then returns them. */
  take(n: number, timeoutMs?: number): Promise<ObjectEvent[]>;
  /** Waits for the stream to end (or timeoutMs). */
  done(timeoutMs?: number): Promise<void>;
  close(): void;
}

export function openWatch(store: ObjectStore, key: string, opts: Partial<Omit<WatchObjectsOptions, 'signal'>>): OpenWatch {
  const ac = new AbortController();
  let taken = 0;
  let notify: () => void = () => {};
  const w: OpenWatch = {
    events: [],
    ended: false,
    async take(n, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (w.events.length < taken + n && !w.ended && Date.now() < deadline) {
        await new Promise<void>((r) => {
          notify = r;
          setTimeout(r, Math.max(1, deadline - Date.now()));
        });
      }
      const out = w.events.slice(taken, taken + n);
      taken += out.length;
      return out;
    },
    async done(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!w.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    },
    close: () => ac.abort(),
  };
  void (async () => {
    try {
      for await (const ev of store.watch(key, { recursive: true, predicate: everythingPred, ...opts, signal: ac.signal })) {
        w.events.push(ev);
        notify();
      }
    } catch (err) {
      w.error = err;
    } finally {
      w.ended = true;
      notify();
    }
  })();
  return w;
}

export const everythingPred: SelectionPredicate = { matches: () => true, everything: true };

export function labelPred(label: string, value: string): SelectionPredicate {
  return { matches: (o) => o.metadata.labels?.[label] === value, everything: false };
}

export function cm(name: string, data: Record<string, string> = {}, labels?: Record<string, string>, ns = 'ns'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns, uid: `uid-${name}`, ...(labels ? { labels } : {}) },
    data,
  };
}

/** "ADDED a" style summaries make event assertions readable. */
export const summary = (evs: ObjectEvent[]) =>
  evs.map((e) => (e.type === 'BOOKMARK' ? `BOOKMARK ${e.object.metadata.resourceVersion}` : `${e.type} ${e.object.metadata.name}`));

export const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion);

export const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
