import { fuzzTarget, startFuzzServer, type TargetResult } from './fuzz.js';
import { TARGETS } from './targets.js';

// `npm run fuzz -- --cases N [--target NAME] [--seed S]`: N generated requests spread over the
// targets (or all N on one), against one real apiserver; prints the cases run per target and every
// failure with its shrunk request and seed. Exit code 1 when anything failed.

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const total = Number(arg('cases') ?? 10_000);
const only = arg('target');
const seed = arg('seed') === undefined ? undefined : Number(arg('seed'));
const targets = TARGETS.filter((t) => !only || t.name === only);
if (targets.length === 0) throw new Error(`no target ${only}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);

let crashed: unknown;
process.on('uncaughtException', (err) => (crashed = err));
process.on('unhandledRejection', (err) => (crashed = err));

const server = await startFuzzServer();
const results: TargetResult[] = [];
const started = Date.now();
for (const t of targets) {
  const per = Math.ceil(total / targets.length);
  const r = await fuzzTarget(server, t, per, seed);
  results.push(r);
  console.log(`${t.name.padEnd(24)} ${String(r.cases).padStart(7)} cases  ${r.failure ? `FAILED (seed ${r.seed}): ${r.failure}\n  ${JSON.stringify(r.counterexample)}` : 'ok'}`);
}
await server.close();
const sum = results.reduce((n, r) => n + r.cases, 0);
const failed = results.filter((r) => r.failure);
console.log(`total ${sum} cases in ${Math.round((Date.now() - started) / 1000)} s; ${failed.length} target(s) failed; crash: ${crashed ? String(crashed) : 'none'}`);
process.exit(failed.length || crashed ? 1 : 0);
