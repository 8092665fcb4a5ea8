import { describe, expect, it } from 'vitest';
import { FairQueues, Rejected, type Release } from './fairness.js';

/** Manual timers: fire() runs every timer registered so far. */
function manualTimers() {
  const timers = new Set<() => void>();
  return {
    setTimer: (fn: () => void) => {
      timers.add(fn);
      return () => timers.delete(fn);
    },
    fire: () => [...timers].forEach((fn) => (timers.delete(fn), fn())),
  };
}

const now = (r: Release | Promise<Release>): Release => {
  if (r instanceof Promise) throw new Error('expected a seat at once');
  return r;
};

describe('FairQueues', () => {
  it('grants seats at once up to the limit, unlimited when the limit is 0', () => {
    const f = new FairQueues({ limit: 2, queueLength: 1, maxWaitMs: 1000 });
    now(f.acquire('a'));
    now(f.acquire('a'));
    expect(f.acquire('a')).toBeInstanceOf(Promise);
    const u = new FairQueues({ limit: 0, queueLength: 0, maxWaitMs: 0 });
    for (let i = 0; i < 100; i++) now(u.acquire('a'));
  });

  it('gives freed seats to flows in turn, so a flooding flow does not starve another', async () => {
    const f = new FairQueues({ limit: 1, queueLength: 100, maxWaitMs: 1000 });
    const order: string[] = [];
    let release = now(f.acquire('flood'));
    const waits: Promise<void>[] = [];
    const enqueue = (flow: string) => waits.push((f.acquire(flow) as Promise<Release>).then((r) => (order.push(flow), (release = r), undefined)));
    for (let i = 0; i < 5; i++) enqueue('flood');
    enqueue('polite');
    enqueue('polite');
    for (let i = 0; i < 7; i++) {
      release();
      await Promise.resolve();
      await Promise.resolve();
    }
    await Promise.all(waits);
    expect(order).toEqual(['flood', 'polite', 'flood', 'polite', 'flood', 'flood', 'flood']);
    expect(f.waiting).toBe(0);
  });

  it('refuses when a flow queue is full (other flows still queue) and when a wait times out', async () => {
    const t = manualTimers();
    const f = new FairQueues({ limit: 1, queueLength: 1, maxWaitMs: 1000, setTimer: t.setTimer });
    now(f.acquire('a'));
    const queued = f.acquire('a') as Promise<Release>;
    expect(() => f.acquire('a')).toThrow(Rejected);
    const other = f.acquire('b') as Promise<Release>;
    t.fire();
    await expect(queued).rejects.toMatchObject({ why: 'timeout' });
    await expect(other).rejects.toMatchObject({ why: 'timeout' });
    expect(f.rejected).toBe(3);
    expect(f.waiting).toBe(0);
  });

  it('a release is idempotent and a granted waiter no longer times out', async () => {
    const t = manualTimers();
    const f = new FairQueues({ limit: 1, queueLength: 5, maxWaitMs: 1000, setTimer: t.setTimer });
    const r = now(f.acquire('a'));
    const next = f.acquire('b') as Promise<Release>;
    r();
    r();
    const granted = await next;
    t.fire();
    expect(f.executing).toBe(1);
    granted();
    expect(f.executing).toBe(0);
    expect(f.rejected).toBe(0);
  });
});

describe('FairQueues.setLimit', () => {
  it('a lower limit takes no seat from executing requests but queues new ones; a higher one dispatches the waiters', async () => {
    const f = new FairQueues({ limit: 8, queueLength: 10, maxWaitMs: 1000 });
    const held = Array.from({ length: 6 }, () => now(f.acquire('flood')));
    f.setLimit(2);
    expect(f.limit).toBe(2);
    expect(f.executing).toBe(6);
    const polite = f.acquire('polite');
    expect(polite).toBeInstanceOf(Promise);
    const flood = f.acquire('flood') as Promise<Release>;
    for (const r of held.splice(0, 4)) r();
    expect(f.executing).toBe(2);
    expect(f.waiting).toBe(2); // still at the limit: nobody granted
    held.pop()!();
    // the freed seat goes to the flow that queued first, the polite one
    await polite;
    expect(f.waiting).toBe(1);
    f.setLimit(100);
    expect(f.limit).toBe(8); // never above the configured limit
    await flood;
    expect(f.waiting).toBe(0);
  });

  it('unlimited stays unlimited', () => {
    const u = new FairQueues({ limit: 0, queueLength: 0, maxWaitMs: 0 });
    u.setLimit(3);
    for (let i = 0; i < 10; i++) now(u.acquire('a'));
  });
});

describe('FairQueues.activeFlows', () => {
  it('counts the flows that asked for a seat within the window, granted or not', () => {
    let t = 0;
    const f = new FairQueues({ limit: 1, queueLength: 5, maxWaitMs: 1000, now: () => t, setTimer: () => () => undefined });
    now(f.acquire('a'));
    t = 400;
    void f.acquire('b');
    t = 900;
    void f.acquire('a');
    expect(f.activeFlows(1000)).toBe(2);
    t = 1500; // b last asked at 400
    expect(f.activeFlows(1000)).toBe(1);
    t = 2000;
    expect(f.activeFlows(1000)).toBe(0);
  });
});

describe('FairQueues without queues', () => {
  it('a queue length of 0 refuses at once instead of waiting', () => {
    const f = new FairQueues({ limit: 1, queueLength: 0, maxWaitMs: 60_000 });
    now(f.acquire('a'));
    expect(() => f.acquire('b')).toThrow(Rejected);
  });

  it('while several flows are active, one flow holds at most its share, so a newcomer finds a seat free', async () => {
    let t = 0;
    const f = new FairQueues({ limit: 4, queueLength: 10, maxWaitMs: 1000, now: () => t });
    // Alone, the list client may take every seat.
    const alone = [now(f.acquire('list')), now(f.acquire('list'))];
    // A second flow arrives: from now on each holds at most 4 / 2 = 2.
    const polite = now(f.acquire('polite'));
    expect(f.share()).toBe(2);
    const third = f.acquire('list');
    expect(third).toBeInstanceOf(Promise);
    expect(f.executing).toBe(3);
    // The polite client's next request still finds a seat: the list client waits for its own.
    polite();
    now(f.acquire('polite'));
    let granted = false;
    void (third as Promise<Release>).then(() => (granted = true));
    await Promise.resolve();
    expect(granted).toBe(false);
    alone[0]!();
    await Promise.resolve();
    expect(granted).toBe(true);
    // Once the other flow is gone from the window, the list client gets every seat again.
    t += 2000;
    expect(now(f.acquire('list'))).toBeTypeOf('function');
    expect(f.share()).toBe(4);
  });

  it('a flow at its share keeps its place in line; seats go to the flows below theirs', async () => {
    const f = new FairQueues({ limit: 2, queueLength: 10, maxWaitMs: 1000, now: () => 0 });
    const a = now(f.acquire('a'));
    const b = now(f.acquire('b'));
    const order: string[] = [];
    const a2 = (f.acquire('a') as Promise<Release>).then((r) => (order.push('a'), r));
    const c = (f.acquire('c') as Promise<Release>).then((r) => (order.push('c'), r));
    // Three flows: the share is 1 seat. b's seat frees: a still holds its one, so c gets it.
    b();
    await c;
    expect(order).toEqual(['c']);
    a();
    await a2;
    expect(order).toEqual(['c', 'a']);
  });
});
