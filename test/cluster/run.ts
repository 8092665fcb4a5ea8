// Runs many simulation seeds and prints the failing ones with a replay command.
//   npx tsx test/cluster/run.ts --seeds 500 [--seed S] [--jobs J] [--nodes 5] [--duration ms] [--heal ms] [--bug ackBeforeFsync] [--no-leader-loss] [--verbose]
// --seed S alone replays one seed (add --verbose for the event trace); with --seeds N, runs S..S+N-1,
// on J worker threads (default 1: in this thread). The summary gives seeds per second, the slowest
// seeds, and the linearizability checker's steps and time per seed.

import { parseArgs } from 'node:util';
import { runSeed, runSeedPool, type SeedOptions, type SeedOutcome } from './seed-pool.js';
import type { Bug } from './sim-types.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
    jobs: { type: 'string' },
    nodes: { type: 'string' },
    duration: { type: 'string' },
    heal: { type: 'string' },
    bug: { type: 'string', multiple: true },
    'no-leader-loss': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const first = values.seed !== undefined ? Number(values.seed) : 1;
const count = values.seeds !== undefined ? Number(values.seeds) : values.seed !== undefined ? 1 : 100;
const jobs = values.jobs !== undefined ? Number(values.jobs) : 1;
const opts: SeedOptions = {
  nodes: values.nodes !== undefined ? Number(values.nodes) : undefined,
  durationMs: values.duration !== undefined ? Number(values.duration) : undefined,
  healMs: values.heal !== undefined ? Number(values.heal) : undefined,
  bugs: (values.bug ?? []) as Bug[],
  leaderLoss: !values['no-leader-loss'],
  verbose: values.verbose,
};

function replayCommand(seed: number): string {
  const extra = [opts.nodes !== undefined ? `--nodes ${opts.nodes}` : '', opts.durationMs !== undefined ? `--duration ${opts.durationMs}` : '',
    opts.healMs !== undefined ? `--heal ${opts.healMs}` : '', ...(opts.bugs ?? []).map((b) => `--bug ${b}`), opts.leaderLoss ? '' : '--no-leader-loss']
    .filter(Boolean)
    .join(' ');
  return `npx tsx test/cluster/run.ts --seed ${seed}${extra ? ` ${extra}` : ''} --verbose`;
}

const outcomes: SeedOutcome[] = [];
const t0 = performance.now();
/** Seeds finished out of order (worker threads); `contiguous` is the first seed not yet finished. */
const finishedAhead = new Set<number>();
let contiguous = first;
function onOutcome(o: SeedOutcome): void {
  outcomes.push(o);
  finishedAhead.add(o.seed);
  while (finishedAhead.delete(contiguous)) contiguous++;
  // A long run says how far it got (stderr, so the summary on stdout stays clean), with enough to
  // stand on its own if the run is stopped: every seed below `contiguous` has finished.
  if (count >= 10_000 && outcomes.length % 5_000 === 0) {
    const s = (performance.now() - t0) / 1000;
    const steps = quantiles(outcomes.filter((x) => x.result.stats).map((x) => x.result.stats.checkerSteps));
    const searched = outcomes.reduce((n, x) => n + (x.result.stats?.checkerSearched ?? 0), 0);
    console.error(`${outcomes.length}/${count} seeds in ${s.toFixed(0)}s, ${outcomes.filter((x) => !x.result.ok).length} failed; ` +
      `seeds ${first}..${contiguous - 1} all done; checker steps so far: ${steps}; searched: ${searched}`);
  }
  const r = o.result;
  if (values.verbose && count === 1) for (const line of r.trace) console.log(line);
  if (!r.ok) {
    console.log(`FAIL seed ${r.seed} ${r.params}`);
    for (const f of r.failures) console.log(`  ${f.split('\n').join('\n    ')}`);
    console.log(`  replay: ${replayCommand(r.seed)}`);
  } else if (values.verbose) {
    console.log(`ok   seed ${r.seed} ${r.params} ${JSON.stringify(r.stats)}`);
  }
}

if (jobs > 1 && count > 1) await runSeedPool(first, count, jobs, opts, onOutcome);
else for (let seed = first; seed < first + count; seed++) onOutcome(runSeed(seed, opts));
const secs = (performance.now() - t0) / 1000;

function quantiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  return `median ${f(q(0.5))}, p99 ${f(q(0.99))}, max ${f(s[s.length - 1] ?? 0)}`;
}

const failed = outcomes.filter((o) => !o.result.ok).map((o) => o.result.seed).sort((a, b) => a - b);
const withStats = outcomes.filter((o) => o.result.stats);
const totals = { ops: 0, elections: 0, revisions: 0, watchEvents: 0, crashes: 0, earlyCampaigns: 0, simMs: 0, checkerSearched: 0 };
for (const o of withStats) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += o.result.stats[k];
console.log(
  `${count - failed.length}/${count} seeds passed in ${secs.toFixed(1)}s (${(count / secs).toFixed(1)} seeds/s, ${jobs} job${jobs === 1 ? '' : 's'}); ` +
    `${totals.ops} client ops, ${totals.revisions} revisions, ${totals.watchEvents} watch events, ${totals.elections} elections, ` +
    `${totals.crashes} crashes, ${totals.earlyCampaigns} early campaigns after a lost leader, ${(totals.simMs / 1000).toFixed(0)} simulated s`,
);
if (count > 1 && withStats.length > 0) {
  console.log(`checker steps per history: ${quantiles(withStats.map((o) => o.result.stats.checkerSteps))}; ` +
    `histories that needed the search: ${totals.checkerSearched}`);
  console.log(`checker ms per seed: ${quantiles(withStats.map((o) => o.result.stats.checkerMs))}; seed ms: ${quantiles(outcomes.map((o) => o.ms))}`);
  const slowest = [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 5);
  console.log(`slowest seeds: ${slowest.map((o) => `${o.seed} (${o.ms.toFixed(0)} ms)`).join(', ')}`);
}
if (failed.length > 0) {
  console.log(`failing seeds: ${failed.join(' ')}`);
  process.exitCode = 1;
}
