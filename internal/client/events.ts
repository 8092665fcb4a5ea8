import { isApiError, type KubeObject } from '../api/index.js';
import { realClock, type Clock } from '../util/index.js';
import type { Client, ResourceRef } from './client.js';
import { EventSpamFilter, type SpamFilterOptions } from './event-spam.js';

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

/** Event writes in flight at once per recorder. */
export const EVENT_WRITES_IN_FLIGHT = 32;
/** Events accepted but not yet written beyond which new ones are dropped (client-go's broadcaster queues 1000). */
export const MAX_QUEUED_EVENTS = 1000;

/**
 * Writes events.k8s.io/v1 Events as client-go's events recorder does: the first occurrence creates an
 * Event; isomorphic repeats (same regarding, related, reason, action, type, note, controller and
 * instance) within the series window update that Event's `series` (count, lastObservedTime) instead
 * of creating new ones. Repeats of one event are written in order, one at a time; different events
 * are written concurrently (at most EVENT_WRITES_IN_FLIGHT), so a scheduler binding thousands of
 * pods is not held to one event per write latency with its backlog growing. Like client-go, the
 * recorder drops events (and reports how many) when MAX_QUEUED_EVENTS wait unwritten.
 */
export function createEventRecorder(
  client: Client,
  opts: {
    reportingController: string;
    reportingInstance: string;
    clock?: Clock;
    log?: (msg: string, err?: unknown) => void;
    /** Drop events past a per-object budget, as client-go's legacy recorder (see EventSpamFilter). */
    spamFilter?: SpamFilterOptions;
  },
): EventRecorder & { flush(): Promise<void> } {
  const clock = opts.clock ?? realClock;
  const spam = opts.spamFilter ? new EventSpamFilter(opts.spamFilter) : undefined;
  const seen = new Map<string, Seen>();
  /** The last write of each event key not yet finished: a repeat waits for it. */
  const tails = new Map<string, Promise<void>>();
  const unfinished = new Set<Promise<void>>();
  const slots: (() => void)[] = [];
  let writing = 0;
  let dropped = 0;
  const acquire = (): Promise<void> | void => {
    if (writing < EVENT_WRITES_IN_FLIGHT) {
      writing++;
      return;
    }
    return new Promise<void>((r) => slots.push(r));
  };
  const release = () => {
    const next = slots.shift();
    if (next) next();
    else writing--;
  };
  const write = async (key: string, now: number, regarding: KubeObject, type: EventType, reason: string, action: string, note: string, related?: KubeObject) => {
    // Entries are in first-seen order (a repeat updates its entry in place), so the expired ones are
    // a prefix: stop at the first live one instead of visiting every remembered event per event.
    for (const [k, s] of seen) {
      if (now - s.first <= SERIES_WINDOW_MS) break;
      seen.delete(k);
    }
    const prev = seen.get(key);
    if (prev && now - prev.first <= SERIES_WINDOW_MS) {
      prev.count++;
      try {
        await client.patch(EVENTS, prev.namespace, prev.name, 'merge', { series: { count: prev.count, lastObservedTime: microTime(now) } });
        return;
      } catch (err) {
        if (!isApiError(err, 'NotFound')) throw err;
      }
    }
    seen.delete(key);
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
      regarding: objectRef(regarding),
      ...(related ? { related: objectRef(related) } : {}),
    };
    await client.create(EVENTS, namespace, event);
    seen.set(key, { namespace, name, count: 1, first: now });
  };
  return {
    event(regarding, type, reason, action, note, related) {
      if (unfinished.size >= MAX_QUEUED_EVENTS) {
        if (dropped++ % MAX_QUEUED_EVENTS === 0) opts.log?.(`${MAX_QUEUED_EVENTS} events waiting to be written: dropping new ones (${dropped} so far)`);
        return;
      }
      const now = clock.now();
      const m = regarding.metadata;
      if (spam && !spam.allow(`${regarding.apiVersion}/${regarding.kind}/${m.namespace ?? ''}/${m.name}/${m.uid ?? ''}`, now)) return;
      const key = JSON.stringify([objectRef(regarding), related && objectRef(related), reason, action, type, note]);
      const run: Promise<void> = (tails.get(key) ?? Promise.resolve())
        .then(acquire)
        .then(() => write(key, now, regarding, type, reason, action, note, related).finally(release))
        .catch((err: unknown) => opts.log?.(`event ${reason} not recorded`, err))
        .finally(() => {
          unfinished.delete(run);
          if (tails.get(key) === run) tails.delete(key);
        });
      tails.set(key, run);
      unfinished.add(run);
    },
    async flush() {
      while (unfinished.size > 0) await Promise.all([...unfinished]);
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
