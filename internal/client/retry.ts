import { isApiError } from '../api/index.js';
import { sleep } from '../util/index.js';

export interface RetryBackoff {
  /** Attempts in all (default 5). */
  steps: number;
  /** Pause between attempts in ms (default 10), grown by factor (default 1) and jittered by up to jitter × pause (default 0.1). */
  durationMs: number;
  factor: number;
  jitter: number;
}

/** client-go's retry.DefaultRetry. */
export const DEFAULT_RETRY: RetryBackoff = { steps: 5, durationMs: 10, factor: 1, jitter: 0.1 };

/**
 * Runs fn again while it fails with 409 Conflict (a stale resourceVersion), up to backoff.steps
 * attempts; fn must read the current object itself on every attempt. Any other error, or the last
 * Conflict, is thrown.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, backoff: Partial<RetryBackoff> = {}, rand: () => number = Math.random): Promise<T> {
  const b = { ...DEFAULT_RETRY, ...backoff };
  let pause = b.durationMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= b.steps || !isApiError(err, 'Conflict')) throw err;
    }
    await sleep(pause + pause * b.jitter * rand());
    pause *= b.factor;
  }
}
