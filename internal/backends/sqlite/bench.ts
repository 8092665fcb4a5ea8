// Micro benchmark of the single-node sqlite backend: `npx tsx internal/backends/sqlite/bench.ts [dir]`.
// Measures creates/s with 32 concurrent writers (group commit) vs one write at a time, and GET/LIST
// latency. The directory defaults to the OS temp dir; pass one on the real disk to measure its fsync.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteBackend } from './sqlite-backend.js';

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'kplane-bench-'));
const value = new Uint8Array(1024).fill(120);

async function creates(label: string, total: number, writers: number): Promise<void> {
  const be = createSqliteBackend({ path: join(dir, `${label}.db`), compaction: false });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < total) await be.create(`/registry/bench/${label}/${next++}`, value);
    }),
  );
  const ms = performance.now() - t0;
  const st = be.status.stats();
  console.log(`${label}: ${total} creates, ${writers} writer(s): ${((total / ms) * 1000).toFixed(0)} creates/s, ${st.batches} transactions (${(Number(st.ops) / Number(st.batches)).toFixed(1)} ops each)`);
  await be.close();
}

async function reads(): Promise<void> {
  const be = createSqliteBackend({ path: join(dir, 'reads.db'), compaction: false });
  const n = 5000;
  await Promise.all(Array.from({ length: n }, (_, i) => be.create(`/registry/pods/ns/p${i}`, value)));
  const lat: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t = performance.now();
    await be.get(`/registry/pods/ns/p${(i * 7919) % n}`);
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat[Math.floor(p * (lat.length - 1))]! * 1000).toFixed(1);
  console.log(`GET (5000 keys, 1 KiB values): p50 ${q(0.5)} µs, p99 ${q(0.99)} µs, p99.9 ${q(0.999)} µs`);
  const { revision } = await be.currentRevision();
  // Median of several runs: single runs swing with GC and machine load.
  const median = async (fn: () => Promise<unknown>) => {
    const ts: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      await fn();
      ts.push(performance.now() - t);
    }
    return ts.sort((a, b) => a - b)[3]!.toFixed(1);
  };
  console.log(`LIST limit=500 (+count): median ${await median(() => be.list('/registry/pods/', { limit: 500 }))} ms`);
  console.log(`LIST all 5000: median ${await median(() => be.list('/registry/pods/'))} ms`);
  console.log(`LIST at a past revision limit=500: median ${await median(() => be.list('/registry/pods/', { revision: revision - 10, limit: 500 }))} ms`);
  await be.close();
}

try {
  await creates('sequential', 1000, 1);
  await creates('concurrent32', 10_000, 32);
  await reads();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
