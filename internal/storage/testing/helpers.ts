import { expect } from 'vitest';
import type { Backend, KeyValue, WatchBatch, WatchEvent } from '../backend.js';
import { isStorageError, type StorageErrorCode } from '../errors.js';

export type MakeBackend = () => Backend | Promise<Backend>;

export interface BackendConformanceOptions {
  /** The per-watcher queue bound (events) the factory configured. Unset: the slow-watcher test is skipped. */
  watcherQueueLimit?: number;
  /** How long to wait for a 1-second lease to expire (ms). Default 10000. */
  leaseExpiryTimeoutMs?: number;
  /** Operations in the randomized history test. Default 400. */
  randomOps?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array | undefined): string | undefined => (b ? dec.decode(b) : undefined);

let seq = 0;
/** A key prefix no other test uses, so suites can share one store (an external etcd). */
export function uniquePrefix(): string {
  return `/conformance/${process.pid}-${Date.now().toString(36)}-${seq++}/`;
}

export async function expectStorageError(p: Promise<unknown>, code: StorageErrorCode): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(isStorageError(caught), `expected StorageError ${code}, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}

/** The comparable part of a kv (values as text). */
export function summary(kv: KeyValue | undefined): Record<string, unknown> | undefined {
  if (!kv) return undefined;
  return { key: kv.key, value: text(kv.value), createRevision: kv.createRevision, modRevision: kv.modRevision, version: kv.version, lease: kv.lease };
}

/**
 * Consumes a watch in the background and records what arrives, so a test can wait for a condition.
 * `error` is set when the iterator threw; `ended` when it finished either way.
 */
export class WatchRecorder {
  batches: WatchBatch[] = [];
  error: unknown;
  ended = false;
  readonly done: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(iterable: AsyncIterable<WatchBatch>) {
    this.done = (async () => {
      try {
        for await (const b of iterable) {
          this.batches.push(b);
          this.poke();
        }
      } catch (err) {
        this.error = err;
      } finally {
        this.ended = true;
        this.poke();
      }
    })();
  }

  get events(): WatchEvent[] {
    return this.batches.flatMap((b) => b.events);
  }

  async until(cond: () => boolean, timeoutMs = 5000, what = 'watch condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (this.ended && !cond()) throw new Error(`${what}: watch ended (${String(this.error)}) before condition held`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: timed out after ${timeoutMs}ms with ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private poke(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/** Checks the per-stream watch guarantees: ordered, unique, atomic batches (W1–W3, W6). */
export function expectWellFormedStream(batches: WatchBatch[]): void {
  let lastBatchRev = 0;
  let lastEventRev = 0;
  const seen = new Set<string>();
  for (const b of batches) {
    expect(b.revision).toBeGreaterThanOrEqual(lastBatchRev);
    for (const ev of b.events) {
      const rev = ev.kv.modRevision;
      // A revision's events never straddle two batches: every event is newer than the previous batch.
      expect(rev).toBeGreaterThan(lastBatchRev);
      expect(rev).toBeGreaterThanOrEqual(lastEventRev);
      expect(rev).toBeLessThanOrEqual(b.revision);
      const id = `${rev}\0${ev.kv.key}`;
      expect(seen.has(id), `duplicate event ${id}`).toBe(false);
      seen.add(id);
      lastEventRev = rev;
    }
    lastBatchRev = b.revision;
  }
}

/**
 * A Backend that forwards every call to `inner` (whose methods live on its prototype, so a spread
 * would lose them), with the members in `over` replaced: call counters and fault switches in tests.
 */
export function delegatingBackend(inner: Backend, over: Partial<Backend> = {}): Backend {
  return {
    ...inner,
    get: (k, o) => inner.get(k, o),
    list: (p, o) => inner.list(p, o),
    create: (k, v, o) => inner.create(k, v, o),
    update: (k, v, r, o) => inner.update(k, v, r, o),
    delete: (k, o) => inner.delete(k, o),
    watch: (p, o) => inner.watch(p, o),
    grantLease: (t) => inner.grantLease(t),
    currentRevision: () => inner.currentRevision(),
    compact: (r) => inner.compact(r),
    close: () => inner.close(),
    ...over,
  };
}

/**
 * `watch` of a backend whose batches are held while the switch is off (a watch cache fed by it
 * then lags the backend): `hold()` stops delivery, `flow()` resumes it.
 */
export function holdableWatch(inner: Backend): { watch: Backend['watch']; hold(): void; flow(): void } {
  let flowing = true;
  let wake: (() => void) | undefined;
  return {
    watch(p, o): AsyncIterable<WatchBatch> {
      const src = inner.watch(p, o);
      return (async function* () {
        for await (const batch of src) {
          while (!flowing) await new Promise<void>((r) => (wake = r));
          yield batch;
        }
      })();
    },
    hold: () => void (flowing = false),
    flow: () => {
      flowing = true;
      wake?.();
    },
  };
}
