import type { KubeObject } from '../api/index.js';
import type { WatchEvent } from './backend.js';
import { decodeKv, type Codec } from './codec.js';
import type { ObjectEvent, SelectionPredicate } from './object-store.js';

/** Annotation on the BOOKMARK that ends a watch-list's initial events. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

export function bookmarkEvent(revision: number, initialEventsEnd = false): ObjectEvent {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
  if (initialEventsEnd) metadata.annotations = { [INITIAL_EVENTS_END_ANNOTATION]: 'true' };
  return { type: 'BOOKMARK', object: { metadata } };
}

export function withResourceVersion(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/** One change as decoded objects: `object` is absent for a delete, `prev` for a create. */
export interface DecodedChange {
  key: string;
  revision: number;
  object?: KubeObject;
  prev?: KubeObject;
  /**
   * Set by producers that decode lazily (the watch cache): whether `object` / `prev` exist, so the
   * event can be shaped without decoding an object nobody reads (a MODIFIED's previous object).
   */
  hasObject?: boolean;
  hasPrev?: boolean;
  /**
   * The events toObjectEvent built from this change, one per type. Every watcher that sees the
   * change as the same type gets the same (read-only) event, so the layers above can share their
   * work per event instead of repeating it per watcher (see registry watch, apiserver encoding).
   */
  events?: { ADDED?: ObjectEvent; MODIFIED?: ObjectEvent; DELETED?: ObjectEvent };
  /** Stored size of the change (its values and key), when the producer knows it: what a queued event costs. */
  bytes?: number;
}

export function decodeChange(codec: Codec, ev: WatchEvent): DecodedChange {
  return {
    key: ev.kv.key,
    revision: ev.kv.modRevision,
    object: ev.type === 'put' ? decodeKv(codec, ev.kv) : undefined,
    prev: ev.prevKv ? decodeKv(codec, ev.prevKv) : undefined,
  };
}

/**
 * Turns a change into what a watcher with this predicate sees, as upstream's watch cache does:
 * an object that starts matching is ADDED, one that stops matching is DELETED (its previous content
 * at the change's resourceVersion), and changes that match neither before nor after are dropped.
 * The event is remembered on the change unless `remember` is false (a change kept for long, whose
 * events would keep whatever the layers above cache per event alive): treat it as read-only.
 */
export function toObjectEvent(ch: DecodedChange, pred: SelectionPredicate, remember = true): ObjectEvent | undefined {
  const cur = (ch.hasObject ?? ch.object !== undefined) && (pred.everything || pred.matches(ch.object!));
  const old = (ch.hasPrev ?? ch.prev !== undefined) && (pred.everything || pred.matches(ch.prev!));
  const type = cur ? (old ? 'MODIFIED' : 'ADDED') : old ? 'DELETED' : undefined;
  if (type === undefined) return undefined;
  if (!remember) return buildEvent(ch, type);
  const events = (ch.events ??= {});
  return (events[type] ??= buildEvent(ch, type));
}

function buildEvent(ch: DecodedChange, type: 'ADDED' | 'MODIFIED' | 'DELETED'): ObjectEvent {
  if (type === 'ADDED') return { type, object: ch.object! };
  if (type === 'MODIFIED') return withPrev({ type, object: ch.object! }, ch);
  return withPrev({ type, object: withResourceVersion(ch.prev!, ch.revision) }, ch);
}

/** Adds prevObject: read only when asked for, if the change decodes lazily. */
function withPrev(ev: ObjectEvent, ch: DecodedChange): ObjectEvent {
  if (ch.hasPrev === undefined) ev.prevObject = ch.prev;
  else Object.defineProperty(ev, 'prevObject', { enumerable: true, configurable: true, get: () => ch.prev });
  return ev;
}
