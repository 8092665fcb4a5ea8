/**
 * Concurrent asks for the same linearizable answer (etcd's current revision) share one request:
 * an ask while none is in flight sends one; an ask while one is in flight waits for the next round,
 * sent when that one ends and shared by every ask that arrived meanwhile. Each answer therefore
 * comes from a request sent after its ask arrived (as fresh as its own request would be), and under
 * concurrency the requests per ask fall from one to about two per round trip.
 */
export class NextRound<T> {
  private inflight: Promise<T> | undefined;
  private next: Promise<T> | undefined;

  constructor(private readonly send: () => Promise<T>) {}

  ask(): Promise<T> {
    if (!this.inflight) return this.start();
    this.next ??= this.inflight.then(
      () => this.startNext(),
      () => this.startNext(),
    );
    return this.next;
  }

  private startNext(): Promise<T> {
    this.next = undefined;
    return this.start();
  }

  private start(): Promise<T> {
    const p = this.send();
    this.inflight = p;
    const clear = () => {
      if (this.inflight === p) this.inflight = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
