/**
 * How often one HTTP watch stream writes to its socket. Every write is a TLS record and a system
 * call on the event loop that serves every request, and a change is written to every watcher it
 * matches: with a few hundred watchers a write flood turns into tens of thousands of socket writes a
 * second. So a stream writes at once when it was quiet, and otherwise gathers the events that come
 * within its interval into one write. The interval grows with the number of watches its user holds
 * open: together a user's watches get about `userWritesPerSecond` socket writes, so one client
 * holding a thousand watches cannot take the event loop from the others, while a client with a few
 * watches (kubectl, an informer per resource) gets its events at once. While the event loop is
 * not busy (see WatchHub.loopBusy) every stream writes at once.
 */
export interface WatchFlushOptions {
  /** Most bytes one stream may have written but not yet sent before it waits for the socket. */
  maxBufferBytes: number;
  /** Fewest (a stream may always have this much unsent). */
  minBufferBytes: number;
  /** Unsent bytes one user's streams share. */
  userBufferBytes: number;
  /** Unsent bytes all streams share. */
  totalBufferBytes: number;
  /** Shortest interval between two writes of one stream, ms (0: every turn of the event loop). */
  minIntervalMs: number;
  /** Longest: the most an event waits for its stream's next write, ms. */
  maxIntervalMs: number;
  /** Socket writes a second that one user's watches share. */
  userWritesPerSecond: number;
}

export const DEFAULT_WATCH_FLUSH: WatchFlushOptions = {
  minIntervalMs: 0,
  maxIntervalMs: 500,
  userWritesPerSecond: 1000,
  maxBufferBytes: 1 << 20,
  minBufferBytes: 16 << 10,
  userBufferBytes: 64 << 20,
  totalBufferBytes: 128 << 20,
};

/**
 * The interval between two writes of a stream whose user holds `userWatches` watches open. Only
 * while the event loop is busy: on an idle loop the socket writes cost nothing anyone waits for, and
 * gathering would only delay every event (10 watches of one user would wait up to 10 ms each).
 */
export function flushIntervalMs(userWatches: number, o: WatchFlushOptions, loopBusy = true): number {
  if (!loopBusy) return o.minIntervalMs;
  const share = Math.ceil((Math.max(1, userWatches) * 1000) / o.userWritesPerSecond);
  return Math.min(o.maxIntervalMs, Math.max(o.minIntervalMs, share));
}

/**
 * How long a stream that has something to write waits before it writes: 0 (the end of this turn of
 * the event loop) once its interval since the last write has passed, else the rest of the interval.
 */
export function flushDelayMs(nowMs: number, lastWriteMs: number, intervalMs: number): number {
  return Math.max(0, lastWriteMs + intervalMs - nowMs);
}

/**
 * How much a stream may have written but not yet sent (encrypted, queued for its socket: memory of
 * its own, not shared with the other streams) before it waits for the socket to drain. A client
 * that reads slower than its watches receive holds this much per stream; while a stream waits, its
 * events queue in the watch cache (shared objects) until its queue limit ends the watch. So the
 * bound is a share: of what one user's streams may hold together, and of what all streams may.
 */
export function bufferBytes(userWatches: number, totalWatches: number, o: WatchFlushOptions): number {
  const share = Math.min(o.userBufferBytes / Math.max(1, userWatches), o.totalBufferBytes / Math.max(1, totalWatches));
  return Math.floor(Math.min(o.maxBufferBytes, Math.max(o.minBufferBytes, share)));
}
