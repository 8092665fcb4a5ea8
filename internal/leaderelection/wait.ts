import type { Clock } from '../util/index.js';

/** A slot through which a pending cancellableWait can be ended early. */
export interface Wake {
  fn: (() => void) | undefined;
}

/** Resolves after ms on the clock, when the signal aborts, or when wake.fn() is called. */
export function cancellableWait(clock: Clock, ms: number, signal: AbortSignal, wake: Wake): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal.removeEventListener('abort', done);
      if (wake.fn === done) wake.fn = undefined;
      resolve();
    };
    const cancel = clock.setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
    wake.fn = done;
  });
}
