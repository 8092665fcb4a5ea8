import type { Backend } from './backend.js';
import { StorageError } from './errors.js';

/**
 * Parses a client resourceVersion. "" or undefined → undefined (latest); "0" → 0 (any);
 * "N" → N. Anything else is StorageError InvalidArgument (the registry answers 400).
 */
export function parseResourceVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw new StorageError('InvalidArgument', `invalid resource version ${JSON.stringify(rv)}`);
  const n = Number(rv);
  if (!Number.isSafeInteger(n)) throw new StorageError('InvalidArgument', `invalid resource version ${JSON.stringify(rv)}`);
  return n;
}

/** Poll step while waiting for a revision; short because the wait is rare (HA followers, clients from the future). */
const POLL_MS = 20;

/**
 * Waits until the backend's revision is at least `revision`, for at most waitMs, and returns the
 * current revision. Still behind after waitMs: StorageError FutureRevision (the registry answers
 * 504 "Too large resource version" with retryAfterSeconds, as upstream does after ~3 s).
 */
export async function waitForRevision(backend: Backend, revision: number, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { revision: current } = await backend.currentRevision();
    if (current >= revision) return current;
    if (Date.now() >= deadline) {
      throw new StorageError('FutureRevision', `Too large resource version: ${revision}, current: ${current}`, {
        revision,
        currentRevision: current,
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - Date.now()))));
  }
}
