// Runs many simulation seeds and prints the failing ones with a replay command.
//   npx tsx test/cluster/run.ts --seeds 500 [--seed S] [--nodes 5] [--duration ms] [--heal ms] [--bug ackBeforeFsync] [--no-leader-loss] [--verbose]
// --seed S alone replays one seed (add --verbose for the event trace); with --seeds N, runs S..S+N-1.

import { parseArgs } from 'node:util';
import type { Bug } from './sim-types.js';
import { runSimulation, type SimResult } from './simulation.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    seed: { type: 'string' },
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
const nodes = values.nodes !== undefined ? Number(values.nodes) : undefined;
const durationMs = values.duration !== undefined ? Number(values.duration) : undefined;
const healMs = values.heal !== undefined ? Number(values.heal) : undefined;
const bugs = (values.bug ?? []) as Bug[];
const leaderLoss = !values['no-leader-loss'];

function replayCommand(seed: number): string {
  const extra = [nodes !== undefined ? `--nodes ${nodes}` : '', durationMs !== undefined ? `--duration ${durationMs}` : '',
    healMs !== undefined ? `--heal ${healMs}` : '', ...bugs.map((b) => `--bug ${b}`), leaderLoss ? '' : '--no-leader-loss']
    .filter(Boolean)
    .join(' ');
  return `npx tsx test/cluster/run.ts --seed ${seed}${extra ? ` ${extra}` : ''} --verbose`;
}

const failed: SimResult[] = [];
const totals = { ops: 0, elections: 0, revisions: 0, watchEvents: 0, crashes: 0, earlyCampaigns: 0, simMs: 0 };
const t0 = performance.now();
for (let seed = first; seed < first + count; seed++) {
  let r: SimResult;
  try {
    r = runSimulation({ seed, nodes, durationMs, healMs, bugs, leaderLoss, verbose: values.verbose });
  } catch (err) {
    // An exception inside the core or the simulator is a failure of that seed, not of the runner.
    r = { seed, ok: false, failures: [`[crash] ${(err as Error).stack ?? String(err)}`], params: '', stats: undefined as never, trace: [] };
  }
  if (r.stats) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r.stats[k];
  if (values.verbose && count === 1) for (const line of r.trace) console.log(line);
  if (!r.ok) {
    failed.push(r);
    console.log(`FAIL seed ${seed} ${r.params}`);
    for (const f of r.failures) console.log(`  ${f.split('\n').join('\n    ')}`);
    console.log(`  replay: ${replayCommand(seed)}`);
  } else if (values.verbose) {
    console.log(`ok   seed ${seed} ${r.params} ${JSON.stringify(r.stats)}`);
  }
}
const secs = (performance.now() - t0) / 1000;
console.log(
  `${count - failed.length}/${count} seeds passed in ${secs.toFixed(1)}s; ` +
    `${totals.ops} client ops, ${totals.revisions} revisions, ${totals.watchEvents} watch events, ${totals.elections} elections, ` +
    `${totals.crashes} crashes, ${totals.earlyCampaigns} early campaigns after a lost leader, ${(totals.simMs / 1000).toFixed(0)} simulated s`,
);
if (failed.length > 0) {
  console.log(`failing seeds: ${failed.map((f) => f.seed).join(' ')}`);
  process.exitCode = 1;
}
