/**
 * A simple form of API Priority and Fairness for one class of requests (read-only or mutating):
 * at most `limit` requests execute at once; beyond that each flow (a user) waits in its own queue,
 * and a freed seat goes to the flows in turn (round robin), so one client flooding requests waits
 * behind its own requests, not in front of everyone else's. A request is refused (the caller
 * answers 429 with Retry-After) when its flow's queue is full or it waited longer than maxWaitMs.
 */
export interface FairnessOptions {
  /** Requests executing at once; <= 0 means unlimited. */
  limit: number;
  /** Requests one flow may have waiting. */
  queueLength: number;
  /** Longest wait in a queue before the request is refused. */
  maxWaitMs: number;
  /** Timers (injected in tests). */
  setTimer?: (fn: () => void, ms: number) => () => void;
  /** Milliseconds clock for activeFlows (injected in tests). */
  now?: () => number;
}

export type Release = () => void;

/** Why a request was refused: its flow's queue was full, or it waited too long. */
export class Rejected extends Error {
  constructor(readonly why: 'queue-full' | 'timeout') {
    super(why === 'queue-full' ? 'too many requests queued for this client' : 'the request waited too long for a free seat');
  }
}

interface Waiter {
  grant: (r: Release) => void;
  refuse: (e: Rejected) => void;
  cancelTimer: () => void;
}

const realTimer = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export class FairQueues {
  #executing = 0;
  #queues = new Map<string, Waiter[]>();
  /** Flows with waiters, in the order they get the next free seats. */
  #turns: string[] = [];
  #rejected = 0;
  #limit: number;
  /** When each flow last asked for a seat. */
  #lastSeen = new Map<string, number>();
  readonly #now: () => number;
  readonly #setTimer: NonNullable<FairnessOptions['setTimer']>;

  constructor(private readonly o: FairnessOptions) {
    this.#setTimer = o.setTimer ?? realTimer;
    this.#limit = o.limit;
    this.#now = o.now ?? (() => performance.now());
  }

  /** Flows that asked for a seat within the last windowMs (forgetting older ones). */
  activeFlows(windowMs: number): number {
    const since = this.#now() - windowMs;
    // In last-seen order (acquire re-inserts): the stale ones come first.
    for (const [flow, at] of this.#lastSeen) {
      if (at >= since) break;
      this.#lastSeen.delete(flow);
    }
    return this.#lastSeen.size;
  }

  /** The configured limit (the most seats setLimit may give). */
  get configured(): number {
    return this.o.limit;
  }

  /** Seats now: the configured limit unless setLimit lowered it. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Changes the number of seats (at most the configured limit; <= 0 only when configured so). A lower
   * limit takes nothing from requests executing: no one is granted a seat until they fall below it.
   */
  setLimit(n: number): void {
    this.#limit = this.o.limit <= 0 ? this.o.limit : Math.max(1, Math.min(this.o.limit, Math.floor(n)));
    this.#dispatch();
  }

  get executing(): number {
    return this.#executing;
  }

  get waiting(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  /** Requests refused so far (queue full or waited too long). */
  get rejected(): number {
    return this.#rejected;
  }

  /** A seat now (a Release), or a promise of one; a Rejected error (thrown or rejected) when refused. */
  acquire(flow: string): Release | Promise<Release> {
    if (this.o.limit > 0) {
      // Re-inserted, so the map stays in last-seen order.
      this.#lastSeen.delete(flow);
      this.#lastSeen.set(flow, this.#now());
    }
    if (this.#limit <= 0 || (this.#executing < this.#limit && this.#turns.length === 0)) return this.#seat();
    let q = this.#queues.get(flow);
    if ((q?.length ?? 0) >= this.o.queueLength) {
      this.#rejected++;
      throw new Rejected('queue-full');
    }
    if (!q) {
      q = [];
      this.#queues.set(flow, q);
      this.#turns.push(flow);
    }
    const queue = q;
    return new Promise<Release>((grant, refuse) => {
      const waiter: Waiter = {
        grant,
        refuse,
        cancelTimer: this.#setTimer(() => {
          const i = queue.indexOf(waiter);
          if (i < 0) return;
          queue.splice(i, 1);
          if (queue.length === 0) this.#dropFlow(flow);
          this.#rejected++;
          refuse(new Rejected('timeout'));
        }, this.o.maxWaitMs),
      };
      queue.push(waiter);
    });
  }

  #seat(): Release {
    this.#executing++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#executing--;
      this.#dispatch();
    };
  }

  /** Hands free seats to waiting flows in turn: the first flow in line gets one, then goes last. */
  #dispatch(): void {
    while ((this.#limit <= 0 || this.#executing < this.#limit) && this.#turns.length > 0) {
      const flow = this.#turns.shift()!;
      const queue = this.#queues.get(flow)!;
      const waiter = queue.shift()!;
      if (queue.length > 0) this.#turns.push(flow);
      else this.#queues.delete(flow);
      waiter.cancelTimer();
      waiter.grant(this.#seat());
    }
  }

  #dropFlow(flow: string): void {
    this.#queues.delete(flow);
    const i = this.#turns.indexOf(flow);
    if (i >= 0) this.#turns.splice(i, 1);
  }
}
