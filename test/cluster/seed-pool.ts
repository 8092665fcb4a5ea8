// Runs simulation seeds on worker threads: each worker takes the next seed from a shared counter,
// so a slow seed never holds a fixed slice of the range back. Results stream back in completion
// order; the caller orders or summarizes them.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { SimOptions, SimResult } from './simulation.js';
import { runSimulation } from './simulation.js';

/** What a worker sends back for one seed (the trace stays in the worker unless asked for). */
export interface SeedOutcome {
  seed: number;
  result: SimResult;
  /** Wall time of the whole seed (simulation and checkers). */
  ms: number;
}

export type SeedOptions = Omit<SimOptions, 'seed'>;

/** Runs one seed; an exception inside the core or the simulator fails that seed, not the run. */
export function runSeed(seed: number, opts: SeedOptions): SeedOutcome {
  const t0 = performance.now();
  let result: SimResult;
  try {
    result = runSimulation({ ...opts, seed });
  } catch (err) {
    result = { seed, ok: false, failures: [`[crash] ${(err as Error).stack ?? String(err)}`], params: '', stats: undefined as never, trace: [] };
  }
  return { seed, result, ms: performance.now() - t0 };
}

interface PoolData {
  first: number;
  count: number;
  counter: SharedArrayBuffer;
  opts: SeedOptions;
}

/** Runs seeds first..first+count-1 on `jobs` worker threads, calling onOutcome as each finishes. */
export async function runSeedPool(first: number, count: number, jobs: number, opts: SeedOptions, onOutcome: (o: SeedOutcome) => void): Promise<void> {
  const counter = new SharedArrayBuffer(4);
  const data: PoolData = { first, count, counter, opts };
  // The workers load this TypeScript file too: they register tsx's loader first (a worker's entry
  // module is resolved before any --import hook of its own would apply).
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const workers = Array.from({ length: Math.max(1, Math.min(jobs, count)) }, () => new Worker(boot, { eval: true, workerData: data }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.on('message', (o: SeedOutcome) => onOutcome(o));
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed worker exited with code ${code}`))));
        }),
    ),
  );
}

if (!isMainThread && parentPort && (workerData as PoolData | undefined)?.counter) {
  const { first, count, counter, opts } = workerData as PoolData;
  const next = new Int32Array(counter);
  for (let i = Atomics.add(next, 0, 1); i < count; i = Atomics.add(next, 0, 1)) {
    const o = runSeed(first + i, opts);
    if (!opts.verbose) o.result.trace = [];
    parentPort.postMessage(o);
  }
}
