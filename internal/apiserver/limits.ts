/**
 * A counting limit for concurrent work (in-flight requests, open watches). Over the limit the caller
 * answers 429 with Retry-After, as kube-apiserver's max-in-flight filter does; clients retry.
 */
export class ConcurrencyLimit {
  #active = 0;
  constructor(readonly max: number) {}

  get active(): number {
    return this.#active;
  }

  /** A release function (idempotent), or undefined when the limit is reached. max <= 0 means unlimited. */
  tryAcquire(): (() => void) | undefined {
    if (this.max > 0 && this.#active >= this.max) return undefined;
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
    };
  }
}
