import { describe, expect, it } from 'vitest';
import { nextSeatLimit, type AdaptiveSeatOptions, type LoadSample } from './adaptive-seats.js';

const o: AdaptiveSeatOptions = { flowWindowMs: 1000, minSeats: 4, targetLagMs: 10, busyUtilization: 0.75 };
const behind = { lagMs: 40, utilization: 0.95 };
const calm = { lagMs: 1, utilization: 0.3 };

describe('nextSeatLimit', () => {
  const cases: [number, number, number, LoadSample, number, string][] = [
    // [current, configured, executing, sample, next, why]
    [200, 200, 64, behind, 48, 'a lagging busy loop shrinks from what executes, not from the far higher limit'],
    [48, 200, 48, behind, 36, 'and keeps shrinking by a quarter while it lags'],
    [5, 200, 5, behind, 4, 'never below minSeats'],
    [200, 200, 0, behind, 4, 'lag with nothing executing (other work) goes to minSeats at once'],
    [2, 2, 2, behind, 2, 'a configured limit below minSeats is the floor itself'],
    [0, 0, 50, behind, 0, 'unlimited stays unlimited'],
    [48, 200, 48, { lagMs: 40, utilization: 0.5 }, 48, 'lag while the loop is mostly idle is the machine, not this work: no change'],
    [4, 200, 4, calm, 5, 'a calm loop grows the limit by at least one'],
    [64, 200, 10, calm, 72, 'by an eighth'],
    [195, 200, 100, calm, 200, 'up to the configured limit'],
    [30, 200, 30, { lagMs: 7, utilization: 0.9 }, 30, 'between half the target and the target: held'],
  ];
  it.each(cases)('%i of %i, %i executing → %i (%s)', (current, configured, executing, sample, next) => {
    expect(nextSeatLimit(current, configured, executing, 2, sample, o)).toBe(next);
  });

  it('shrinks a flood to minSeats in a few samples and gives the seats back once the loop keeps up', () => {
    let limit = 200;
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) seen.push((limit = nextSeatLimit(limit, 200, Math.min(limit, 64), 2, behind, o)));
    expect(seen.slice(0, 3)).toEqual([48, 36, 27]);
    expect(limit).toBe(4);
    let steps = 0;
    while (limit < 200) (limit = nextSeatLimit(limit, 200, limit, 2, calm, o)), steps++;
    expect(steps).toBeGreaterThan(10);
    expect(steps).toBeLessThan(40);
  });

  it('with one flow there is no one to be fair to: a lagging loop does not shrink its seats, they grow back', () => {
    expect(nextSeatLimit(200, 200, 64, 1, behind, o)).toBe(200);
    expect(nextSeatLimit(8, 200, 8, 1, behind, o)).toBe(9);
    expect(nextSeatLimit(8, 200, 8, 0, behind, o)).toBe(9);
  });
});
