import type { WatchEvent } from '../api/index.js';

/**
 * Turns one watch event into its wire bytes: the compact JSON followed by "\n" (a chunked-HTTP
 * watch line; a websocket message is the same bytes without the newline).
 */
export type WatchEncoder = (ev: WatchEvent) => Buffer;

export function encodeLine(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`);
}

/** One cache per output form ("plain", "partial/v1", ...), shared by every watch of that form. */
const linesByForm = new Map<string, WeakMap<WatchEvent, Buffer>>();

/**
 * An encoder for an output form whose bytes depend only on the event (plain objects,
 * PartialObjectMetadata), so every watcher of that form shares them. The registry hands all the
 * watchers of a change the same event object, so serializing it (and encoding it to UTF-8) happens
 * once per event and form instead of once per watcher; an event it built for one watcher only
 * simply misses. The cache is keyed weakly by the event: it lives as long as a watcher still holds
 * that event. Events must not be mutated once handed out (they never are: storage shares them).
 */
export function sharedWatchEncoder(form: string, transform: (ev: WatchEvent) => unknown): WatchEncoder {
  let lines = linesByForm.get(form);
  if (lines === undefined) linesByForm.set(form, (lines = new WeakMap()));
  const cache = lines;
  return (ev) => {
    // BOOKMARK and ERROR events are built per watcher: caching them would only cost.
    if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return encodeLine(transform(ev));
    let line = cache.get(ev);
    if (line === undefined) {
      line = encodeLine(transform(ev));
      cache.set(ev, line);
    }
    return line;
  };
}
