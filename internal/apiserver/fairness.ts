/**
 * A simple form of API Priority and Fairness for one class of requests (read-only or mutating):
 * at most `limit` requests execute at once; beyond that each flow (a user) waits in its own queue,
 * and a freed seat goes to the flows in turn (round robin), so one client flooding requests waits
 * behind its own requests, not in front of everyone else's. A request is refused (the caller
 * answers 429 with Retry-After) when its flow's queue is full or it waited longer than maxWaitMs.
 *
 * While several flows asked for seats lately (within flowWindowMs), one flow holds at most its share
 * of the seats (limit / flows, at least one), even when more are free: round robin alone hands a
 * freed seat to the next flow in line, but a flow that holds every seat with long requests (lists of
 * thousands of objects) still makes a client sending one request at a time wait for one of them to
 * end. With the share, that client finds a seat free when it comes.
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
  /** How far back a flow's last request counts it as sharing the seats (default 1000 ms). */
  flowWindowMs?: number;
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
  /** Seats each flow holds now. */
  #held = new Map<string, number>();
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
    if (this.#limit <= 0) return this.#seat(flow);
    if (this.#executing < this.#limit && this.#heldBy(flow) < this.share()) {
      // The flows in line go first; what they leave (they wait at their share) is free to take.
      this.#dispatch();
      if (this.#executing < this.#limit && !this.#queues.has(flow)) return this.#seat(flow);
    }
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

  /** The most seats one flow may hold now: all of them while it is alone, else its share. */
  share(): number {
    if (this.#limit <= 0) return Infinity;
    return Math.max(1, Math.floor(this.#limit / Math.max(1, this.activeFlows(this.o.flowWindowMs ?? 1000))));
  }

  #heldBy(flow: string): number {
    return this.#held.get(flow) ?? 0;
  }

  #seat(flow: string): Release {
    this.#executing++;
    this.#held.set(flow, this.#heldBy(flow) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#executing--;
      const n = this.#heldBy(flow) - 1;
      if (n > 0) this.#held.set(flow, n);
      else this.#held.delete(flow);
      this.#dispatch();
    };
  }

  /**
   * Hands free seats to waiting flows in turn: the first flow in line below its share gets one, then
   * goes last. A flow at its share keeps its place and waits for one of its own requests to end.
   */
  #dispatch(): void {
    if (this.#turns.length === 0) return;
    const share = this.share();
    let i = 0;
    while ((this.#limit <= 0 || this.#executing < this.#limit) && i < this.#turns.length) {
      const flow = this.#turns[i]!;
      if (this.#heldBy(flow) >= share) {
        i++;
        continue;
      }
      this.#turns.splice(i, 1);
      const queue = this.#queues.get(flow)!;
      const waiter = queue.shift()!;
      if (queue.length > 0) this.#turns.push(flow);
      else this.#queues.delete(flow);
      waiter.cancelTimer();
      waiter.grant(this.#seat(flow));
    }
  }

  #dropFlow(flow: string): void {
    this.#queues.delete(flow);
    const i = this.#turns.indexOf(flow);
    if (i >= 0) this.#turns.splice(i, 1);
  }
}
