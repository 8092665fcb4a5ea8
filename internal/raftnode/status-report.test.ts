import { describe, expect, it } from 'vitest';
import type { EngineStats, EngineStatus } from './engine-types.js';
import { StatusReporter, statusKey } from './status-report.js';

const status = (over: Partial<EngineStatus> = {}): EngineStatus => ({
  id: 1,
  role: 'leader',
  leader: 1,
  term: 2,
  commit: 10,
  applied: 10,
  lastIndex: 10,
  snapshotIndex: 1,
  voters: [1, 2, 3],
  learners: [],
  members: { '1': 'https://a', '2': 'https://b', '3': 'https://c' },
  domains: {},
  spares: {},
  progress: { '2': { match: 10, state: 'replicate', recentActive: true, lastHeardMsAgo: 40 } },
  ...over,
});
const stats = (over: Partial<EngineStats> = {}): EngineStats => ({ readies: 5, ticks: 7, tickLateMaxMs: 3, snapshotsTaken: 0, snapshotsInstalled: 0, snapshotsSent: 0, ...over });

describe('StatusReporter', () => {
  it('sends the first status, then only changes, and refreshes an unchanged one every refreshTicks ticks', () => {
    const sent: [EngineStatus, EngineStats][] = [];
    const r = new StatusReporter((st, s) => sent.push([st, s]), 10);
    r.tick(status(), stats());
    expect(sent).toHaveLength(1);
    // Only the always-moving figures change: nothing is sent for 9 ticks, the 10th refreshes them.
    for (let i = 1; i <= 9; i++) r.tick(status({ applied: 10 + i, progress: { '2': { match: 10, state: 'replicate', recentActive: true, lastHeardMsAgo: 40 + i } } }), stats({ ticks: 7 + i, readies: 5 + i }));
    expect(sent).toHaveLength(1);
    r.tick(status({ progress: { '2': { match: 10, state: 'replicate', recentActive: true, lastHeardMsAgo: 99 } } }), stats({ ticks: 17 }));
    expect(sent).toHaveLength(2);
    expect(sent[1]![0].progress!['2']!.lastHeardMsAgo).toBe(99);
    expect(sent[1]![1].ticks).toBe(17);
    // A change goes out on the next tick.
    r.tick(status({ commit: 11 }), stats({ ticks: 18 }));
    expect(sent).toHaveLength(3);
    expect(sent[2]![0].commit).toBe(11);
  });

  it('hands over a copy of the stats (the engine keeps counting in its own object)', () => {
    const sent: EngineStats[] = [];
    const live = stats();
    new StatusReporter((_st, s) => sent.push(s)).tick(status(), live);
    live.ticks++;
    expect(sent[0]!.ticks).toBe(7);
  });
});

describe('statusKey', () => {
  it('changes with everything a reader acts on', () => {
    const base = statusKey(status(), stats());
    const changed: [Partial<EngineStatus>, Partial<EngineStats>][] = [
      [{ role: 'follower' }, {}],
      [{ leader: 2 }, {}],
      [{ term: 3 }, {}],
      [{ commit: 11 }, {}],
      [{ lastIndex: 11 }, {}],
      [{ snapshotIndex: 5 }, {}],
      [{ voters: [1, 2] }, {}],
      [{ learners: [4] }, {}],
      [{ members: { '1': 'https://a' } }, {}],
      [{ domains: { '1': 'z1' } }, {}],
      [{ spares: { '4': 'https://d' } }, {}],
      [{ progress: { '2': { match: 9, state: 'replicate', recentActive: true } } }, {}],
      [{ progress: { '2': { match: 10, state: 'probe', recentActive: true } } }, {}],
      [{ progress: { '2': { match: 10, state: 'replicate', recentActive: false } } }, {}],
      [{ progress: undefined }, {}],
      [{}, { tickLateMaxMs: 9 }],
      [{}, { snapshotsTaken: 1 }],
      [{}, { snapshotsInstalled: 1 }],
      [{}, { snapshotsSent: 1 }],
    ];
    for (const [st, s] of changed) expect(statusKey(status(st), stats(s)), JSON.stringify([st, s])).not.toBe(base);
  });

  it('ignores the applied index, heard-from ages and the tick and Ready counters', () => {
    const moved = statusKey(status({ applied: 3, progress: { '2': { match: 10, state: 'replicate', recentActive: true, lastHeardMsAgo: 1 } } }), stats({ ticks: 100, readies: 100 }));
    expect(moved).toBe(statusKey(status(), stats()));
  });
});
