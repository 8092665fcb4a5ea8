import { describe, expect, it } from 'vitest';
import { SchedulingQueue } from './queue.js';
import { pod } from './testing/fixtures.js';

describe('SchedulingQueue', () => {
  it('pops by priority, then arrival', () => {
    const q = new SchedulingQueue();
    q.add(pod('low1'), 1);
    q.add(pod('high', { spec: { priority: 100 } }), 2);
    q.add(pod('low2'), 0);
    expect([q.pop(3), q.pop(3), q.pop(3), q.pop(3)].map((x) => x?.info.name)).toEqual(['high', 'low2', 'low1', undefined]);
  });

  it('keeps an unschedulable pod until an event, then honours its backoff', () => {
    const q = new SchedulingQueue({ initialBackoffMs: 1000 });
    q.add(pod('p'), 0);
    const a = q.pop(0)!;
    q.unschedulable(a, 0);
    expect(q.stats()).toMatchObject({ unschedulable: 1 });
    expect(q.pop(5000)).toBeUndefined();
    q.moveAllToActiveOrBackoff(500);
    expect(q.stats()).toMatchObject({ backoff: 1 });
    expect(q.pop(900)).toBeUndefined();
    expect(q.nextReadyAt()).toBe(1000);
    const b = q.pop(1000)!;
    expect(b.info.name).toBe('p');
    expect(b.attempts).toBe(2);
    q.unschedulable(b, 1000);
    q.moveAllToActiveOrBackoff(1500);
    expect(q.pop(2999)).toBeUndefined(); // second backoff is 2 s
    expect(q.pop(3000)?.info.name).toBe('p');
  });

  it('sends a pod to backoff when an event arrived during its attempt', () => {
    const q = new SchedulingQueue();
    q.add(pod('p'), 0);
    const a = q.pop(0)!;
    q.moveAllToActiveOrBackoff(1);
    q.unschedulable(a, 2);
    expect(q.stats()).toMatchObject({ backoff: 1, unschedulable: 0 });
  });

  it('retries a long-unschedulable pod without events', () => {
    const q = new SchedulingQueue({ maxUnschedulableMs: 60_000 });
    q.add(pod('p'), 0);
    q.unschedulable(q.pop(0)!, 0);
    expect(q.pop(30_000)).toBeUndefined();
    expect(q.pop(60_000)?.info.name).toBe('p');
  });

  it('forgets deleted pods and retries an updated unschedulable one', () => {
    const q = new SchedulingQueue();
    q.add(pod('gone'), 0);
    q.delete('default/gone');
    expect(q.pop(0)).toBeUndefined();
    q.add(pod('p'), 0);
    const a = q.pop(0)!;
    q.unschedulable(a, 0);
    q.add(pod('p', { cpu: '1' }), 20_000);
    expect(q.pop(20_000)?.info.requests.milliCPU).toBe(1000);
  });

  it('done removes a scheduled pod; retry backs it off', () => {
    const q = new SchedulingQueue();
    q.add(pod('a'), 0);
    q.add(pod('b'), 0);
    q.done(q.pop(0)!);
    q.retry(q.pop(0)!, 0);
    expect(q.stats()).toEqual({ active: 0, backoff: 1, unschedulable: 0, inflight: 0 });
    expect(q.has('default/a')).toBe(false);
  });
});
