#!/usr/bin/env node
// npm run bench: starts the built kplane and measures it with the shared harness
// (../shared/bench: apibench.mjs, rss.sh), plus idle RSS and restart → /readyz.
// Each datastore named in --datastores runs in the same invocation, so the embedded sqlite store is
// compared with the in-memory reference on the same machine at the same time.
//
//   npm run bench -- [--datastores raftsqlite,sqlite,memory,etcd] [--n 5000] [--restarts 5] [--bench-dir ../shared/bench] [--cpu-prof-dir DIR]
// etcd: a 1-member etcd (the etcd on PATH, data on disk like upstream's) is started for the run; its
// CPU is reported apart from kplane's, and the server CPU per phase counts both.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const benchDir = resolve(ROOT, args['bench-dir'] ?? '../shared/bench');
const datastores = (args.datastores ?? 'raftsqlite,sqlite').split(',');
const n = Number(args.n ?? 5000);
const restarts = Number(args.restarts ?? 5);

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ready = (port) => new Promise((res) => {
  const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 1000 }, (r) => { r.resume(); res(r.statusCode === 200); });
  req.on('error', () => res(false)); req.on('timeout', () => { req.destroy(); res(false); }); req.end();
});

let etcd;
async function startEtcd() {
  const [client, peer] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'kplane-bench-etcd-'));
  const proc = spawn('etcd', ['--name', 'm0', '--data-dir', join(dir, 'data'), '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `m0=http://127.0.0.1:${peer}`, '--log-level', 'warn', '--logger', 'zap'], { stdio: 'ignore' });
  for (;;) { try { if ((await (await fetch(`http://127.0.0.1:${client}/health`)).json()).health === 'true') break; } catch { /* starting */ } await sleep(100); }
  return { proc, url: `http://127.0.0.1:${client}`, dir };
}
const cpuSeconds = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };

async function start(dataDir, port, datastore, profile = false) {
  const t0 = performance.now();
  const extra = datastore === 'etcd' ? ['--etcd-servers', etcd.url] : [];
  // --cpu-prof-dir DIR: the measured server (not the restarts) writes a V8 CPU profile there on exit.
  // (node refuses --cpu-prof in NODE_OPTIONS: the binary is run by node itself, with bin/kplane's flag.)
  const cmd = profile && args['cpu-prof-dir']
    ? [process.execPath, ['--max-semi-space-size=32', '--cpu-prof', `--cpu-prof-dir=${resolve(args['cpu-prof-dir'])}`, `--cpu-prof-name=kplane-${datastore}.cpuprofile`, join(ROOT, 'bin', 'kplane')]]
    : [join(ROOT, 'bin', 'kplane'), []];
  const proc = spawn(cmd[0], [...cmd[1], 'server', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--datastore', datastore, ...extra], { stdio: 'ignore', env: { ...process.env, KPLANE_LOG_LEVEL: 'warn' } });
  while (!(await ready(port))) { if (proc.exitCode !== null) throw new Error('kplane exited'); await sleep(5); }
  return { proc, readyMs: performance.now() - t0 };
}
/** Runs apibench; samples each server process's CPU whenever apibench starts a phase ("[apibench] NAME ..." on stderr) and at its end. */
function apibench(benchArgs, pids) {
  return new Promise((resolve, reject) => {
    const p = spawn('node', [join(benchDir, 'apibench.mjs'), ...benchArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let phase;
    let mark;
    const byPhase = {};
    const close = () => {
      if (phase) byPhase[phase] = pids.map((pid, i) => cpuSeconds(pid) - mark[i]);
    };
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => {
      process.stderr.write(d);
      for (const m of String(d).matchAll(/^\[apibench\] (\w+) \.\.\./gm)) {
        close();
        phase = m[1];
        mark = pids.map(cpuSeconds);
      }
    });
    p.on('exit', (code) => {
      close();
      if (code === 0) resolve({ out, byPhase });
      else reject(new Error(`apibench exited with ${code}`));
    });
  });
}
const stop = (proc) => new Promise((r) => { proc.on('exit', r); proc.kill('SIGTERM'); });
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = {};
if (datastores.includes('etcd')) etcd = await startEtcd();
for (const datastore of datastores) {
  const dataDir = mkdtempSync(join(tmpdir(), `kplane-bench-${datastore}-`));
  const port = await freePort();
  const first = await start(dataDir, port, datastore, true);
  await sleep(5000);
  const idleRss = rssMiB(first.proc.pid);
  process.stderr.write(`\n== ${datastore}: first start → ready ${first.readyMs.toFixed(0)} ms, idle RSS ${idleRss.toFixed(1)} MiB\n`);
  const pids = [first.proc.pid, ...(datastore === 'etcd' ? [etcd.proc.pid] : [])];
  const cpu0 = pids.map(cpuSeconds);
  const { out, byPhase } = await apibench(['--kubeconfig', join(dataDir, 'kubeconfig'), '--n', String(n), '--server-pids', pids.join(' ')], pids);
  const api = JSON.parse(out.trim().split('\n').pop());
  // CPU seconds per phase per process (from apibench's phase lines): kplane's and etcd's shares apart.
  api.cpu_by_phase_s = Object.fromEntries(Object.entries(byPhase).map(([ph, cpu]) => [ph, Object.fromEntries(cpu.map((c, i) => [i === 0 ? 'kplane' : 'etcd', +c.toFixed(2)]))]));
  // CPU seconds of the whole run per process: kplane's, and etcd's when it is the store.
  api.cpu_total_s = Object.fromEntries(pids.map((pid, i) => [i === 0 ? 'kplane' : 'etcd', +(cpuSeconds(pid) - cpu0[i]).toFixed(2)]));
  const rssAfter = rssMiB(first.proc.pid);
  await stop(first.proc);
  const restartMs = [];
  if (datastore !== 'memory') {
    for (let i = 0; i < restarts; i++) { const s = await start(dataDir, port, datastore); restartMs.push(s.readyMs); await stop(s.proc); }
  }
  results[datastore] = { firstStartReadyMs: Math.round(first.readyMs), idleRssMiB: +idleRss.toFixed(1), rssAfterBenchMiB: +rssAfter.toFixed(1), restartReadyMs: restartMs.map(Math.round), restartReadyMedianMs: restartMs.length ? Math.round(median(restartMs)) : null, apibench: api };
  rmSync(dataDir, { recursive: true, force: true });
}
if (etcd) { etcd.proc.kill('SIGTERM'); await sleep(500); rmSync(etcd.dir, { recursive: true, force: true }); }
console.log(JSON.stringify({ date: new Date().toISOString(), node: process.version, load: readFileSync('/proc/loadavg', 'utf8').trim(), results }, null, 1));
