import { describe, expect, it } from 'vitest';
import { NextRound } from './next-round.js';

/** A request whose answer the test gives: the value is the number of requests sent before it. */
function harness() {
  const pending: { n: number; resolve: (v: number) => void; reject: (e: Error) => void }[] = [];
  let sent = 0;
  const r = new NextRound(() => new Promise<number>((resolve, reject) => pending.push({ n: ++sent, resolve, reject })));
  const answer = async (ok = true) => {
    const p = pending.shift()!;
    if (ok) p.resolve(p.n);
    else p.reject(new Error(`request ${p.n} failed`));
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { r, answer, sent: () => sent };
}

describe('NextRound', () => {
  it('an ask with nothing in flight sends its own request', async () => {
    const h = harness();
    const a = h.r.ask();
    expect(h.sent()).toBe(1);
    await h.answer();
    expect(await a).toBe(1);
  });

  it('asks arriving while a request is in flight share the next one, sent after it ends', async () => {
    const h = harness();
    const first = h.r.ask();
    const later = [h.r.ask(), h.r.ask(), h.r.ask()];
    expect(h.sent()).toBe(1); // never answered from the request already in flight
    await h.answer();
    expect(await first).toBe(1);
    expect(h.sent()).toBe(2);
    await h.answer();
    expect(await Promise.all(later)).toEqual([2, 2, 2]);
  });

  it('an ask after a round ended starts a fresh one', async () => {
    const h = harness();
    const a = h.r.ask();
    await h.answer();
    await a;
    const b = h.r.ask();
    expect(h.sent()).toBe(2);
    await h.answer();
    expect(await b).toBe(2);
  });

  it('a failed request fails its own asks only; the next round is still sent', async () => {
    const h = harness();
    const first = h.r.ask().catch((e: Error) => e.message);
    const second = h.r.ask();
    await h.answer(false);
    expect(await first).toBe('request 1 failed');
    expect(h.sent()).toBe(2);
    await h.answer();
    expect(await second).toBe(2);
  });
});
