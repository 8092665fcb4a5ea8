// L3 deterministic simulation as a PR gate: 500 short seeds of a 3-5 node cluster on the real Raft
// core, with every checker (Raft safety, linearizability, durability, watch properties, convergence).
// A failure prints the seed and the command that replays it exactly.

import { describe, expect, it } from 'vitest';
import { runSimulation, type SimResult } from './simulation.js';

const SEEDS = 500;
const CHUNK = 50;
// Short runs keep 500 seeds near one CPU-minute; run.ts runs longer ones (default 3 s chaos + 3 s heal).
const DURATION_MS = 2000;
const HEAL_MS = 2000;

function report(failed: SimResult[]): string {
  return failed
    .map((r) => `seed ${r.seed} (${r.params})\n  ${r.failures.join('\n  ')}\n  replay: npx tsx test/cluster/run.ts --seed ${r.seed} --duration ${DURATION_MS} --heal ${HEAL_MS} --verbose`)
    .join('\n');
}

describe('cluster simulation', () => {
  for (let first = 1; first <= SEEDS; first += CHUNK) {
    it(`seeds ${first}-${first + CHUNK - 1} pass every checker`, { timeout: 180_000 }, async () => {
      const failed: SimResult[] = [];
      let ops = 0;
      for (let seed = first; seed < first + CHUNK; seed++) {
        const r = runSimulation({ seed, durationMs: DURATION_MS, healMs: HEAL_MS });
        ops += r.stats.ops;
        if (!r.ok) failed.push(r);
        // Let the worker answer vitest's RPC between seeds (a chunk is seconds of synchronous work).
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(failed.length, report(failed)).toBe(0);
      // Guard against a vacuous pass: the workload really ran.
      expect(ops).toBeGreaterThan(CHUNK * 50);
    });
  }

  it('decides seed 31340721 by revisions (23 unanswered writes on one key exhausted the search alone)', { timeout: 60_000 }, () => {
    const r = runSimulation({ seed: 31340721 });
    expect(r.failures).toEqual([]);
    expect(r.stats.indeterminate).toBeGreaterThan(20);
    expect(r.stats.checkerSearched).toBe(0);
  });

  it('replays a seed exactly', () => {
    const a = runSimulation({ seed: 4242, durationMs: 1500, healMs: 1500, verbose: true });
    const b = runSimulation({ seed: 4242, durationMs: 1500, healMs: 1500, verbose: true });
    // checkerMs is wall time, the one field that is not deterministic.
    expect({ ...b.stats, checkerMs: 0 }).toEqual({ ...a.stats, checkerMs: 0 });
    expect(b.trace).toEqual(a.trace);
    expect(a.trace.length).toBeGreaterThan(0);
  });
});
