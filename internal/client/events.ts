import { isApiError, type KubeObject } from '../api/index.js';
import { realClock, type Clock } from '../util/index.js';
import type { Client, ResourceRef } from './client.js';

export const EVENTS: ResourceRef = { group: 'events.k8s.io', version: 'v1', resource: 'events' };

/** Repeats of the same event within this window become one Event with a series (upstream's 6 minutes). */
export const SERIES_WINDOW_MS = 6 * 60 * 1000;

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /**
   * Records an event about `regarding`. Failures are reported to the recorder's log, never thrown:
   * an event is informational and must not fail the reconcile that emitted it.
   */
  event(regarding: KubeObject, type: EventType, reason: string, action: string, note: string, related?: KubeObject): void;
}

interface Seen {
  namespace: string;
  name: string;
  count: number;
  first: number;
}

/**
 * Writes events.k8s.io/v1 Events as client-go's events recorder does: the first occurrence creates an
 * Event; isomorphic repeats (same regarding, related, reason, action, type, note, controller and
 * instance) within the series window update that Event's `series` (count, lastObservedTime) instead
 * of creating new ones.
 */
export function createEventRecorder(client: Client, opts: { reportingController: string; reportingInstance: string; clock?: Clock; log?: (msg: string, err?: unknown) => void }): EventRecorder & { flush(): Promise<void> } {
  const clock = opts.clock ?? realClock;
  const seen = new Map<string, Seen>();
  let pending: Promise<unknown> = Promise.resolve();
  const write = async (regarding: KubeObject, type: EventType, reason: string, action: string, note: string, related?: KubeObject) => {
    const now = clock.now();
    const ref = objectRef(regarding);
    const key = JSON.stringify([ref, related && objectRef(related), reason, action, type, note]);
    // Entries are in first-seen order (a repeat updates its entry in place), so the expired ones are
    // a prefix: stop at the first live one instead of visiting every remembered event per event.
    for (const [k, s] of seen) {
      if (now - s.first <= SERIES_WINDOW_MS) break;
      seen.delete(k);
    }
    const prev = seen.get(key);
    if (prev) {
      prev.count++;
      try {
        await client.patch(EVENTS, prev.namespace, prev.name, 'merge', { series: { count: prev.count, lastObservedTime: microTime(now) } });
        return;
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
        seen.delete(key);
      }
    }
    const namespace = regarding.metadata.namespace || 'default';
    const name = `${regarding.metadata.name ?? 'unknown'}.${(BigInt(now) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))).toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: opts.reportingController,
      reportingInstance: opts.reportingInstance,
      action,
      reason,
      type,
      note: note.length > 1024 ? note.slice(0, 1024) : note,
      regarding: ref,
      ...(related ? { related: objectRef(related) } : {}),
    };
    await client.create(EVENTS, namespace, event);
    seen.set(key, { namespace, name, count: 1, first: now });
  };
  return {
    event(regarding, type, reason, action, note, related) {
      // One write at a time keeps the series counts in order.
      pending = pending.then(() => write(regarding, type, reason, action, note, related)).catch((err: unknown) => opts.log?.(`event ${reason} not recorded`, err));
    },
    async flush() {
      await pending;
    },
  };
}

function objectRef(obj: KubeObject): Record<string, string> {
  const m = obj.metadata;
  const ref: Record<string, string> = {};
  for (const [k, v] of [
    ['apiVersion', obj.apiVersion],
    ['kind', obj.kind],
    ['namespace', m.namespace],
    ['name', m.name],
    ['uid', m.uid],
    ['resourceVersion', m.resourceVersion],
  ] as const) {
    if (v) ref[k] = v;
  }
  return ref;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
