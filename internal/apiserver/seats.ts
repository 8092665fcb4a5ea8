import type { FastifyRequest } from 'fastify';
import { apiErrors, type ApiError } from '../api/index.js';
import type { UserInfo } from '../registry/index.js';
import { nextSeatLimit, sampleEventLoop, type AdaptiveSeatOptions, type LoadSample } from './adaptive-seats.js';
import { FairQueues, Rejected, type Release } from './fairness.js';

/**
 * The in-flight limits of kube-apiserver (--max-requests-inflight for reads,
 * --max-mutating-requests-inflight for writes; watches are long-running and limited separately),
 * each shared fairly between users (fairness.ts). Over the limit: 429 with Retry-After, which
 * client-go and kubectl honour by retrying.
 */
export interface SeatLimits {
  readOnly: number;
  mutating: number;
  /** Requests one user may have waiting per class. */
  queueLength: number;
  queueWaitMs: number;
  /**
   * A request refused because its user's queue is full is answered this much later (0: at once),
   * at most maxDelayedRefusals at a time. Retry-After asks for the same wait, and client-go honours
   * it; a client that ignores it and sends the next request the moment its 429 arrives would
   * otherwise turn its connections into a loop of refusals, each costing the server a parse, an
   * authentication and a TLS write, and the machine that client's own CPU.
   */
  refusalDelayMs?: number;
  maxDelayedRefusals?: number;
}

export class Seats {
  readonly readOnly: FairQueues;
  readonly mutating: FairQueues;

  constructor(
    private readonly limits: SeatLimits,
    private readonly userOf: (r: FastifyRequest) => UserInfo,
    /** Users never queued or refused (the apiserver's own loopback identity). */
    private readonly exempt: (u: UserInfo) => boolean,
  ) {
    const q = { queueLength: limits.queueLength, maxWaitMs: limits.queueWaitMs };
    this.readOnly = new FairQueues({ limit: limits.readOnly, ...q });
    this.mutating = new FairQueues({ limit: limits.mutating, ...q });
  }

  /** The last event-loop sample the seats were adapted to (none while the limits are fixed). */
  lastSample: LoadSample | undefined;

  /** Adjusts both classes' seats to one load sample (see adaptive-seats.ts). */
  adapt(s: LoadSample, o: AdaptiveSeatOptions): void {
    this.lastSample = s;
    for (const q of [this.readOnly, this.mutating]) q.setLimit(nextSeatLimit(q.limit, q.configured, q.executing, q.activeFlows(o.flowWindowMs), s, o));
  }

  /** Samples the event loop and adapts the seats until the returned function is called. */
  startAdapting(o: AdaptiveSeatOptions, intervalMs = 100): () => void {
    return sampleEventLoop(intervalMs, (s) => this.adapt(s, o));
  }

  get executing(): number {
    return this.readOnly.executing + this.mutating.executing;
  }

  get rejected(): number {
    return this.readOnly.rejected + this.mutating.rejected;
  }

  async acquire(request: FastifyRequest, mutating: boolean): Promise<Release> {
    const user = this.userOf(request);
    if (this.exempt(user)) return () => undefined;
    try {
      return await (mutating ? this.mutating : this.readOnly).acquire(user.name);
    } catch (err) {
      if (!(err instanceof Rejected)) throw err;
      if (err.why === 'queue-full') await this.#delayRefusal(request);
      throw tooMany(err);
    }
  }

  #delayedRefusals = 0;

  async #delayRefusal(request: FastifyRequest): Promise<void> {
    const ms = this.limits.refusalDelayMs ?? 0;
    if (ms <= 0 || this.#delayedRefusals >= (this.limits.maxDelayedRefusals ?? 1000)) return;
    this.#delayedRefusals++;
    const socket = request.raw.socket;
    try {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          socket?.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        socket?.once('close', done);
      });
    } finally {
      this.#delayedRefusals--;
    }
  }
}

function tooMany(err: Rejected): ApiError {
  return apiErrors.tooManyRequests(`Too many requests, please try again later (${err.message}).`);
}
