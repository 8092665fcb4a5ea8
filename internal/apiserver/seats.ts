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
}

export class Seats {
  readonly readOnly: FairQueues;
  readonly mutating: FairQueues;

  constructor(
    limits: SeatLimits,
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
      if (err instanceof Rejected) throw tooMany(err);
      throw err;
    }
  }
}

function tooMany(err: Rejected): ApiError {
  return apiErrors.tooManyRequests(`Too many requests, please try again later (${err.message}).`);
}
