#!/usr/bin/env node
// npm run bench:scale: the scheduler and hollow nodes at scale (issue 18's benchmark).
//  1. Scheduler throughput alone, in process (upstream scheduler_perf SchedulingBasic's shape):
//     test/bench/scheduler-throughput.ts --nodes 5000 --pods 10000.
//  2. The built binary with --hollow-nodes N: idle CPU of N nodes' heartbeats, then P pods in D
//     Deployments (or, with --deployments 0, P bare pods created through HTTPS, CONC in flight),
//     watched to Running: pods/s from the first create to the last Ready, pod startup latency p50/p99
//     (pod first seen on the watch, or its create sent, → Ready seen on the watch), the stages
//     create → bound and bound → Ready, a mutating-call probe's latency p50/p99 (ConfigMap create and
//     delete, 10/s) during the run, `kubectl get pods -A` time, peak RSS (VmHWM), CPU per thread.
//
//   npm run bench:scale -- [--nodes 1000] [--pods 100000] [--deployments 100] [--rate R] [--concurrency 64]
//                          [--idle 30] [--skip-scheduler] [--datastore raftsqlite] [--cpu-prof DIR]
//                          [--count-writes] [--semi-space MiB] [--max-old-space MiB]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? 'true' : all[i + 1]]] : acc), []));
const NODES = Number(args.nodes ?? 1000);
const PODS = Number(args.pods ?? 100000);
const CONC = Number(args.concurrency ?? 64);
// --deployments D (default 100): the pods come from D Deployments; --deployments 0: bare pods, CONC creates in flight.
const DEPLOYMENTS = Number(args.deployments ?? 100);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const say = (m) => process.stderr.write(`[scale] ${m}\n`);
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const cpuSeconds = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
// CPU seconds per thread name (main thread "node"/"MainThread", workers, V8 GC helpers, libuv pool).
const threadCpu = (pid) => { const out = {}; for (const t of readdirSync(`/proc/${pid}/task`)) { try { const st = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'); const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')); const f = st.slice(st.lastIndexOf(') ') + 2).split(' '); out[`${name}${t === String(pid) ? ' (main)' : ''}`] = +((out[name] ?? 0) + (Number(f[11]) + Number(f[12])) / 100).toFixed(2); } catch { /* exited */ } } return out; };
const hwmMiB = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const results = { date: new Date().toISOString(), load: readFileSync('/proc/loadavg', 'utf8').trim() };

if (args['skip-scheduler'] !== 'true') {
  say('scheduler throughput, in process: 5000 nodes, 10000 pods');
  const out = execFileSync('node', ['--import', 'tsx', join(ROOT, 'test/bench/scheduler-throughput.ts'), '--nodes', '5000', '--pods', '10000', '--initial', '1000'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stderr.write(out);
  results.scheduler = out.trim().split('\n');
}

// 2. The binary with hollow nodes.
const dataDir = mkdtempSync(join(tmpdir(), 'kplane-scale-'));
const port = await freePort();
// --cpu-prof DIR: the server writes a V8 CPU profile there when it stops (for goals it misses).
const profile = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : [];
// --heap-snapshot DIR: a V8 heap snapshot of the server once every pod is Ready (for the RSS goal).
if (args['heap-snapshot']) profile.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${args['heap-snapshot']}`);
const proc = spawn(process.execPath, [`--max-semi-space-size=${args['semi-space'] ?? 32}`, `--max-old-space-size=${args['max-old-space'] ?? 8192}`, ...profile, join(ROOT, 'bin', 'kplane'), 'server', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--datastore', args.datastore ?? 'raftsqlite', '--hollow-nodes', String(NODES), '--hollow-node-prefix', 'hollow', '--hollow-node-pod-start', '0s'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, KPLANE_LOG_LEVEL: 'warn' } });
const kc = parse(readFileSync(await (async () => { for (;;) { try { readFileSync(join(dataDir, 'kubeconfig')); return join(dataDir, 'kubeconfig'); } catch { await sleep(200); } } })(), 'utf8'));
const user = kc.users[0].user;
const agent = new Agent({ keepAlive: true, maxSockets: CONC + 8, rejectUnauthorized: false, cert: Buffer.from(user['client-certificate-data'], 'base64'), key: Buffer.from(user['client-key-data'], 'base64') });
const call = (method, path, body, contentType = 'application/json') => new Promise((res, rej) => {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const req = request({ host: '127.0.0.1', port, method, path, agent, headers: data ? { 'content-type': contentType, 'content-length': Buffer.byteLength(data) } : {} }, (r) => { let b = ''; r.on('data', (c) => (b += c)); r.on('end', () => res({ status: r.statusCode, body: b })); });
  req.on('error', rej); if (data) req.write(data); req.end();
});
for (;;) { try { if ((await call('GET', '/readyz')).status === 200) break; } catch { /* starting */ } await sleep(200); }
const countReady = async () => (JSON.parse((await call('GET', '/api/v1/nodes')).body).items ?? []).filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
const t0 = Date.now();
while ((await countReady()) < NODES) await sleep(1000);
results.nodesReadyAfterS = (Date.now() - t0) / 1000;
say(`${NODES} hollow nodes Ready after ${results.nodesReadyAfterS} s`);
// --idle S: seconds over which the idle heartbeat CPU is measured (after 15 s of settling); 0 skips it.
const IDLE = Number(args.idle ?? 30);
if (IDLE > 0) {
  await sleep(15_000);
  const c0 = cpuSeconds(proc.pid);
  await sleep(IDLE * 1000);
  results.idleCpuOfHeartbeats = `${(((cpuSeconds(proc.pid) - c0) / IDLE) * 100).toFixed(1)} % of one core (${NODES} nodes, Lease every 10 s)`;
  say(`idle: ${results.idleCpuOfHeartbeats}`);
}

// Watch pods from now on: Ready time per pod. A watch the server ends (a slow reader is cut off) is
// resumed from the last resourceVersion seen, so no Ready transition is missed.
const sent = new Map();
const readyAt = new Map();
const boundAt = new Map();
const watchAgent = new Agent({ rejectUnauthorized: false, cert: Buffer.from(user['client-certificate-data'], 'base64'), key: Buffer.from(user['client-key-data'], 'base64') });
let watching = true;
const watches = [];
// Follows a watch from rv, one JSON event a line; a stream the server ends (a slow reader is cut
// off) is resumed from the last resourceVersion seen, so no event is missed.
const follow = (path, rv, onEvent, onRestart = () => {}) => {
  const start = () => {
    const w = request({ host: '127.0.0.1', port, path: `${path}?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, agent: watchAgent }, (r) => {
      let buf = '';
      r.on('data', (chunk) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i); buf = buf.slice(i + 1);
          if (!line) continue;
          const ev = JSON.parse(line);
          if (ev.object?.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
          onEvent(ev);
        }
      });
      r.on('end', () => { if (watching) { onRestart(); start(); } });
    });
    w.on('error', () => { if (watching) setTimeout(start, 200); });
    w.end();
    watches.push(w);
  };
  start();
};
const podWrites = { ADDED: 0, MODIFIED: 0, DELETED: 0 };
follow('/api/v1/pods', JSON.parse((await call('GET', '/api/v1/pods?limit=1')).body).metadata.resourceVersion, (ev) => {
  const p = ev.object;
  if (ev.type in podWrites) podWrites[ev.type]++;
  const name = p?.metadata?.name;
  if (ev.type === 'BOOKMARK' || !name) return;
  if (!sent.has(name)) sent.set(name, Date.now());
  if (!boundAt.has(name) && p.spec?.nodeName) boundAt.set(name, Date.now());
  if (!readyAt.has(name) && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) readyAt.set(name, Date.now());
}, () => (results.watchRestarts = (results.watchRestarts ?? 0) + 1));
// Writes per resource during the run (for the writes-per-pod figure): a watch on each counts its
// ADDED/MODIFIED/DELETED events; the cluster-wide revision before and after counts every write.
const writeCounts = {};
const countWrites = async (name, path) => {
  const c = (writeCounts[name] = { ADDED: 0, MODIFIED: 0, DELETED: 0 });
  follow(path, JSON.parse((await call('GET', `${path}?limit=1`)).body).metadata.resourceVersion, (ev) => { if (ev.type in c) c[ev.type]++; });
};
const clusterRevision = async () => Number(JSON.parse((await call('GET', '/api/v1/namespaces/kube-system/configmaps?limit=1')).body).metadata.resourceVersion);
// --count-writes: also split the writes by resource (four more watches on the server).
if (args['count-writes'] === 'true') await Promise.all([['replicasets', '/apis/apps/v1/replicasets'], ['deployments', '/apis/apps/v1/deployments'], ['events', '/api/v1/events'], ['leases', '/apis/coordination.k8s.io/v1/leases']].map(([n, p]) => countWrites(n, p)));
const rev0 = await clusterRevision();
await sleep(500);
const pod = (i) => ({ metadata: { name: `p-${i}`, labels: { app: `group-${i % 100}` } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } });
const deployment = (i, replicas) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `d-${i}` }, spec: { replicas, selector: { matchLabels: { app: `d-${i}` } }, template: { metadata: { labels: { app: `d-${i}` } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } } });
const createLat = [];
const tc = Date.now();
// --max-minutes M (default 60): the run reports what it reached by then (podsReady < pods).
const deadline = tc + Number(args['max-minutes'] ?? 60) * 60_000;
// Progress every 2 s: how many pods each stage has passed (shows which stage falls behind).
const progress = setInterval(() => say(`t=${((Date.now() - tc) / 1000).toFixed(0)}s created ${sent.size} bound ${boundAt.size} ready ${readyAt.size} cpu ${cpuSeconds(proc.pid).toFixed(1)}s`), 2000);
const cpuPods0 = cpuSeconds(proc.pid);
let next = 0;
let errors = 0;
// A steady trickle of mutating calls beside the load (ConfigMap create then delete, 10 a second),
// timed one by one: the API latency a user sees during the run (upstream's API call SLI).
const probeLat = [];
let probing = true;
const probe = (async () => {
  for (let i = 0; probing; i++) {
    const t = Date.now();
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `probe-${i}` }, data: { k: 'v' } });
    probeLat.push(Date.now() - t);
    const t2 = Date.now();
    await call('DELETE', `/api/v1/namespaces/default/configmaps/probe-${i}`);
    probeLat.push(Date.now() - t2);
    await sleep(Math.max(0, 200 - (Date.now() - t)));
  }
})();
if (DEPLOYMENTS > 0) {
  // The shape: PODS pods in DEPLOYMENTS Deployments; the controllers create the pods.
  const per = Math.ceil(PODS / DEPLOYMENTS);
  const size = (i) => Math.max(0, Math.min(per, PODS - i * per));
  // --rate R: pods asked for at R a second (clusterloader2's way of measuring startup latency at a
  // given throughput): the Deployments start at 0 replicas and are scaled up, in order, once a second
  // to the pods due by then. Without it every Deployment asks for all its replicas at once.
  const RATE = Number(args.rate ?? 0);
  await Promise.all(Array.from({ length: DEPLOYMENTS }, async (_, i) => {
    const t = Date.now();
    const r = await call('POST', '/apis/apps/v1/namespaces/default/deployments', deployment(i, RATE > 0 ? 0 : size(i)));
    createLat.push(Date.now() - t);
    if (r.status !== 201) errors += size(i);
  }));
  if (RATE > 0) {
    results.rate = RATE;
    const asked = new Array(DEPLOYMENTS).fill(0);
    const t0 = Date.now();
    for (let done = false; !done && Date.now() < deadline; ) {
      const due = Math.min(PODS, Math.round(((Date.now() - t0) / 1000 + 1) * RATE));
      done = due >= PODS;
      await Promise.all(asked.map(async (was, i) => {
        const want = Math.max(0, Math.min(size(i), due - i * per));
        if (want === was) return;
        asked[i] = want;
        const r = await call('PATCH', `/apis/apps/v1/namespaces/default/deployments/d-${i}/scale`, { spec: { replicas: want } }, 'application/merge-patch+json');
        if (r.status !== 200) errors += want - was;
      }));
      await sleep(Math.max(0, 1000 - ((Date.now() - t0) % 1000)));
    }
  }
  while (sent.size < PODS - errors && Date.now() < deadline) await sleep(500);
} else {
  await Promise.all(Array.from({ length: CONC }, async () => {
    for (;;) {
      const i = next++;
      if (i >= PODS || Date.now() > deadline) return;
      const t = Date.now(); sent.set(`p-${i}`, t);
      const r = await call('POST', '/api/v1/namespaces/default/pods', pod(i));
      createLat.push(Date.now() - t);
      if (r.status !== 201) errors++;
      if (i % 10000 === 9999) say(`${i + 1} created, ${readyAt.size} Ready`);
    }
  }));
}
results.createPhaseS = (Date.now() - tc) / 1000;
results.createPerS = +(sent.size / results.createPhaseS).toFixed(0);
results.createErrors = errors;
results.createCalls = createLat.length;
results.createLatencyMs = { p50: pct(createLat, 50), p99: pct(createLat, 99) };
while (readyAt.size < PODS - errors && Date.now() < deadline) await sleep(1000);
clearInterval(progress);
probing = false;
await probe;
results.mutatingProbeLatencyMs = { calls: probeLat.length, p50: pct(probeLat, 50), p99: pct(probeLat, 99) };
// Writes per Ready pod, by resource (the probe's ConfigMaps are in the total only).
const totalWrites = (await clusterRevision()) - rev0;
writeCounts.pods = podWrites;
const perPod = (n) => +(n / Math.max(1, readyAt.size)).toFixed(3);
results.writesPerPod = { total: perPod(totalWrites), ...Object.fromEntries(Object.entries(writeCounts).map(([k, c]) => [k, { ...c, perPod: perPod(c.ADDED + c.MODIFIED + c.DELETED) }])) };
say(`writes per pod: ${JSON.stringify(results.writesPerPod)}`);
const lastReady = Math.max(...readyAt.values());
// The machine is shared: wall-clock rates depend on other load; the server's own CPU per pod does not.
results.serverCpuSecondsPer1000Pods = +(((cpuSeconds(proc.pid) - cpuPods0) / readyAt.size) * 1000).toFixed(2);
results.podsReady = readyAt.size;
results.createToRunningPerS = +(readyAt.size / ((lastReady - tc) / 1000)).toFixed(0);
const lat = [...readyAt].filter(([n]) => sent.has(n)).map(([n, t]) => t - sent.get(n)).filter((x) => x >= 0);
results.startupLatencyMs = { p50: pct(lat, 50), p99: pct(lat, 99) };
// Stages: create sent → bound seen (scheduler queue + binding), bound → Ready seen (hollow kubelet).
const toBound = [...boundAt].map(([n, t]) => t - sent.get(n)).filter((x) => x >= 0);
const boundToReady = [...readyAt].filter(([n]) => boundAt.has(n)).map(([n, t]) => t - boundAt.get(n));
results.stageLatencyMs = { createToBound: { p50: pct(toBound, 50), p99: pct(toBound, 99) }, boundToReady: { p50: pct(boundToReady, 50), p99: pct(boundToReady, 99) } };
say(`pods Ready: ${readyAt.size}; ${results.createToRunningPerS}/s create → Running; startup p50 ${results.startupLatencyMs.p50} ms p99 ${results.startupLatencyMs.p99} ms`);
const tg = Date.now();
const g = spawnSync('kubectl', ['--kubeconfig', join(dataDir, 'kubeconfig'), 'get', 'pods', '-A', '--no-headers'], { encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, HOME: dataDir } });
results.kubectlGetPodsAllS = (Date.now() - tg) / 1000;
results.kubectlGetPodsLines = g.stdout.split('\n').filter(Boolean).length;
// A list that fails part-way (e.g. its continue token expired) prints what it had: say so.
if (g.status !== 0) results.kubectlGetPodsError = `exit ${g.status}: ${(g.stderr ?? '').trim().slice(-500)}`;
results.threadCpuSeconds = threadCpu(proc.pid);
if (args['heap-snapshot']) {
  const before = new Set(readdirSync(args['heap-snapshot']));
  proc.kill('SIGUSR2');
  // The snapshot is complete when its file stops growing.
  let last = -1;
  for (;;) {
    await sleep(2000);
    const f = readdirSync(args['heap-snapshot']).find((x) => x.endsWith('.heapsnapshot') && !before.has(x));
    const size = f ? statSync(join(args['heap-snapshot'], f)).size : -1;
    if (f && size === last) { results.heapSnapshot = join(args['heap-snapshot'], f); break; }
    last = size;
  }
}
results.peakRssMiB = +hwmMiB(proc.pid).toFixed(0);
// The Raft group commit at work: commands per log entry, entries per apply message (readies).
try {
  const st = JSON.parse((await call('GET', '/kplane/status')).body);
  if (st.raftEntriesApplied) results.raft = { entriesApplied: st.raftEntriesApplied, readies: st.raftReadies, batchesProposed: st.raftBatchesProposed, commandsProposed: st.raftCommandsProposed, commandsPerBatch: +(st.raftCommandsProposed / Math.max(1, st.raftBatchesProposed)).toFixed(2) };
} catch { /* not a raftsqlite server */ }
watching = false;
for (const w of watches) w.destroy();
proc.kill('SIGTERM');
await new Promise((r) => proc.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });
console.log(JSON.stringify(results, null, 1));
process.exit(0);
