import { EventEmitter } from 'node:events';
import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Seats } from './seats.js';

/** A request of `user` over a socket the test can close. */
function requestOf(user: string) {
  const socket = new EventEmitter();
  return { request: { user, raw: { socket } } as unknown as FastifyRequest, socket };
}

const seats = (o: { refusalDelayMs: number; maxDelayedRefusals?: number }) =>
  new Seats({ readOnly: 1, mutating: 1, queueLength: 0, queueWaitMs: 1000, ...o }, (r) => ({ name: (r as unknown as { user: string }).user, groups: [] }), () => false);

describe('Seats refusals', () => {
  afterEach(() => vi.useRealTimers());

  it('answers a request refused for its full queue after the refusal delay, not at once', async () => {
    vi.useFakeTimers();
    const s = seats({ refusalDelayMs: 1000 });
    await s.acquire(requestOf('flood').request, false);
    let answer: unknown;
    const refused = s.acquire(requestOf('flood').request, false).catch((err: unknown) => (answer = err));
    await vi.advanceTimersByTimeAsync(999);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await refused;
    expect(answer).toMatchObject({ code: 429 });
  });

  it('answers at once when the client hangs up, and when too many refusals wait already', async () => {
    vi.useFakeTimers();
    const s = seats({ refusalDelayMs: 60_000, maxDelayedRefusals: 1 });
    await s.acquire(requestOf('flood').request, false);
    const first = requestOf('flood');
    let gone: unknown;
    const waiting = s.acquire(first.request, false).catch((err: unknown) => (gone = err));
    // The bound is taken by the first: a second refusal is answered without a wait.
    await expect(s.acquire(requestOf('flood').request, false)).rejects.toMatchObject({ code: 429 });
    expect(gone).toBeUndefined();
    first.socket.emit('close');
    await waiting;
    expect(gone).toMatchObject({ code: 429 });
  });
});
