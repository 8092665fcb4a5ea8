// Discrete-event loop: one global timeline (milliseconds, simulated) and a heap of events ordered by
// (time, insertion sequence). Nothing runs concurrently and nothing reads real time, so a run is a
// pure function of the seed.

/** Thrown by runUntil when a run needs far more events than a healthy cluster (a message storm or livelock). */
export class EventBudgetExceeded extends Error {
  override readonly name = 'EventBudgetExceeded';
}

interface Scheduled {
  at: number;
  seq: number;
  fn: () => void;
}

export class EventLoop {
  private heap: Scheduled[] = [];
  private seq = 0;
  private stamps = 0;
  /** Current simulated time in ms. */
  now = 0;
  /** Events run so far (for budgets and diagnostics). */
  executed = 0;

  /** Runs fn at now + delayMs (>= 0). Events at the same time run in scheduling order. */
  after(delayMs: number, fn: () => void): void {
    this.push({ at: this.now + Math.max(0, delayMs), seq: this.seq++, fn });
  }

  /**
   * A strictly increasing position on the timeline, used as call/return times in client histories:
   * unlike `now`, two stamps never tie, so real-time order between operations is exact.
   */
  stamp(): number {
    return ++this.stamps;
  }

  /** Runs events until the queue is empty or the next event is later than `until`. */
  runUntil(until: number, maxEvents = Infinity): void {
    while (this.heap.length > 0 && this.heap[0]!.at <= until) {
      if (this.executed >= maxEvents) throw new EventBudgetExceeded(`event budget of ${maxEvents} exhausted at t=${this.now.toFixed(1)}`);
      const ev = this.pop();
      this.now = ev.at;
      this.executed++;
      ev.fn();
    }
    this.now = Math.max(this.now, until);
  }

  private push(ev: Scheduled): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Scheduled {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
