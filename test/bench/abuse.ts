import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { issueCert } from '../../internal/app/pki.js';
import { HaCluster, type HaNode } from '../e2e/ha-harness.js';
import { call, cm, type Creds } from './abuse-client.js';
import type { Ask, Role, WorkerResult } from './abuse-worker.js';

// `npm run bench:abuse -- [--nodes 3] [--seconds 30] [--abusers watch,flood,big,list,slowloris]
// [--server-args "--max-mutating-requests-inflight 8"]`: abusive clients against a fresh kplane on
// loopback (one node, or three behind HAProxy), while a well-behaved client does GETs and creates.
// Reports that client's p99 under abuse against its p99 on the idle server, the nodes' peak RSS,
// the answers each abusive client got, and whether any acknowledged create is missing afterwards.
// Every client runs in a process of its own (abuse-worker.ts). Bounded: each phase runs for
// --seconds; the counts (10,000 watches, 1,000 slow connections, 5,000 listed objects) are fixed.

const arg = (n: string, d: number) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const NODES = arg('nodes', 1);
// The nodes log at warn unless told otherwise: info would log every one of the abusive requests.
process.env.KPLANE_LOG_LEVEL ??= 'warn';
const SECONDS = arg('seconds', 30);
/** `--server-args "--max-mutating-requests-inflight 8"`: more flags for every node. */
const SERVER_ARGS = (() => {
  const i = process.argv.indexOf('--server-args');
  return i >= 0 ? process.argv[i + 1]!.split(/\s+/).filter(Boolean) : [];
})();
/** `--abusers flood,list`: only these abusive clients (to see what each one costs the polite client). */
const ABUSERS = (() => {
  const i = process.argv.indexOf('--abusers');
  return i >= 0 ? process.argv[i + 1]!.split(',') : ['watch', 'flood', 'big', 'list', 'slowloris'];
})();
const LIST_OBJECTS = 5_000;
/** `--profile DIR`: the nodes' CPU is profiled into DIR (cpu-profile-preload.cjs); they are stopped with SIGTERM so it is written. */
const PROFILE_DIR = (() => {
  const i = process.argv.indexOf('--profile');
  return i >= 0 ? process.argv[i + 1]! : undefined;
})();

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]! : NaN;
};
/** The machine is shared: every figure is printed with the load average beside it. */
const load = () => `load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;
const show = (m: Map<number, number> | [number, number][]) => [...m].sort(([a], [b]) => a - b).map(([k, v]) => `${k === -1 ? 'conn-error' : k}:${v}`).join(' ');

/** The well-behaved client's run: its count, p99 (both kinds, then each) and answers. */
const describeRun = (r: WorkerResult) =>
  `${r.gets.length + r.creates.length} requests, p99 ${p99([...r.gets, ...r.creates]).toFixed(1)} ms (GET ${p99(r.gets).toFixed(1)}, create ${p99(r.creates).toFixed(1)}); answers ${show(r.answers)}`;

/** A client in a process of its own (abuse-worker.ts); one run per call. */
function worker(): { run(ask: Ask): Promise<WorkerResult>; close(): void } {
  const child = fork(fileURLToPath(new URL('./abuse-worker.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  return {
    run: (ask) =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`the ${ask.role} client exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (m) => {
          child.off('exit', onExit);
          resolve(m as WorkerResult);
        });
        child.send(ask);
      }),
    close: () => child.disconnect(),
  };
}

/** The node's overload counters (rejected requests, dropped connections, unexpected errors). */
async function edgeMetrics(agent: Agent, port: number): Promise<string> {
  const r = await call(agent, port, 'GET', '/metrics');
  const pick = ['kplane_apiserver_rejected_requests_total', 'kplane_apiserver_dropped_connections_total', 'kplane_apiserver_unexpected_errors_total'];
  return r.body
    .split('\n')
    .filter((l) => pick.some((p) => l.startsWith(`${p} `)))
    .map((l) => l.replace('kplane_apiserver_', ''))
    .join(', ');
}

function rssPeakMiB(node: HaNode): number {
  const status = readFileSync(`/proc/${node.proc!.pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024);
}

/** What a node's /metrics says about its seats and event loop, sampled every second during the abuse. */
function sampleSeats(agent: Agent, ports: number[]): { stop(): Promise<string[]> } {
  const seen = ports.map(() => ({ readOnly: [] as number[], mutating: [] as number[], lag: [] as number[] }));
  const gauge = (body: string, name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(body)?.[1] ?? NaN);
  let stopped = false;
  const loops = ports.map(async (port, i) => {
    while (!stopped) {
      const r = await call(agent, port, 'GET', '/metrics', undefined, 5_000);
      if (r.status === 200) {
        seen[i]!.readOnly.push(gauge(r.body, 'kplane_apiserver_seat_limit{class="readOnly"}'));
        seen[i]!.mutating.push(gauge(r.body, 'kplane_apiserver_seat_limit{class="mutating"}'));
        seen[i]!.lag.push(gauge(r.body, 'kplane_apiserver_event_loop_delay_seconds') * 1000);
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
  });
  const span = (xs: number[]) => (xs.length ? `${Math.min(...xs)}..${Math.max(...xs)} (median ${[...xs].sort((a, b) => a - b)[xs.length >> 1]})` : 'n/a');
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return seen.map((s, i) => `node ${i + 1}: seats read-only ${span(s.readOnly)}, mutating ${span(s.mutating)}; loop delay ms ${span(s.lag.map((x) => Math.round(x)))}`);
    },
  };
}

async function main(): Promise<void> {
  const cluster = new HaCluster(['--plugins', 'none', ...SERVER_ARGS]);
  let failed = false;
  const t0 = Date.now();
  try {
    // Only the nodes profile: the variable is gone before any client process starts.
    if (PROFILE_DIR) {
      // The nodes write their profiles on exit, when a missing directory can no longer be reported.
      mkdirSync(PROFILE_DIR, { recursive: true });
      process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${fileURLToPath(new URL('./cpu-profile-preload.cjs', import.meta.url))}`.trim();
      process.env.KPLANE_PROFILE_DIR = PROFILE_DIR;
    }
    await cluster.found();
    for (let i = 1; i < NODES; i++) await cluster.join();
    if (PROFILE_DIR) delete process.env.NODE_OPTIONS;
    let port = cluster.founder.apiPort;
    if (NODES > 1) {
      await cluster.startHaproxy(cluster.nodes);
      port = cluster.haproxyPort;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const admin = cluster.creds();
    const ca = { certPem: admin.ca, keyPem: readFileSync(`${cluster.founder.dataDir}/pki/ca.key`, 'utf8') };
    // Each client is its own user (its own flow); all may do anything (system:masters).
    const credsFor = (user: string): Creds => {
      const c = issueCert(ca, { subject: { commonName: user, organizations: ['system:masters'] }, client: true });
      return { ca: admin.ca, cert: c.certPem, key: c.keyPem };
    };
    const adminAgent = new Agent({ ...(admin as Creds), servername: 'kubernetes', keepAlive: true, maxSockets: 32 });
    for (const ns of ['polite', 'flood', 'bulk']) await call(adminAgent, port, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    await call(adminAgent, port, 'POST', '/api/v1/namespaces/polite/configmaps', cm('probe'));
    console.log(`${NODES} node(s)${SERVER_ARGS.length ? ` with ${SERVER_ARGS.join(' ')}` : ''}; filling bulk with ${LIST_OBJECTS} ConfigMaps...`);
    let made = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (made < LIST_OBJECTS) await call(adminAgent, port, 'POST', '/api/v1/namespaces/bulk/configmaps', cm(`bulk-${made++}`));
    }));

    const ask = (role: Role, tag: string, seconds = SECONDS): Ask => ({ role, port, creds: credsFor(role), seconds, tag });
    const politeClient = worker();
    const acked: string[] = [];
    acked.push(...(await politeClient.run(ask('polite', 'warm', 3))).acked);
    console.log(`idle phase (${SECONDS} s), ${load()}`);
    const idle = await politeClient.run(ask('polite', 'idle'));
    acked.push(...idle.acked);
    console.log(`idle: ${describeRun(idle)}; ${load()}`);
    console.log(`abuse phase (${SECONDS} s), ${load()}`);

    const roles = ABUSERS as Role[];
    const abusers = roles.map(() => worker());
    const abuseFrom = (Date.now() - t0) / 1000;
    const seats = sampleSeats(adminAgent, cluster.nodes.map((n) => n.apiPort));
    const abuse = Promise.all(abusers.map((w, i) => w.run(ask(roles[i]!, 'abuse'))));
    const busy = await politeClient.run(ask('polite', 'busy'));
    acked.push(...busy.acked);
    const results = await abuse;
    const seatLines = await seats.stop();
    if (PROFILE_DIR) console.log(`abuse phase: ${abuseFrom.toFixed(1)}..${((Date.now() - t0) / 1000).toFixed(1)} s after the founder was started`);
    for (const w of [politeClient, ...abusers]) w.close();
    const peaks = cluster.nodes.map((n) => `${n.name} ${rssPeakMiB(n)} MiB`);
    const all = (r: WorkerResult) => p99([...r.gets, ...r.creates]);
    console.log(`abuse: ${describeRun(busy)}; ${(all(busy) / all(idle)).toFixed(2)}x idle p99; ${load()}`);
    console.log(`polite client's own event-loop lag p99: idle ${idle.lagP99Ms} ms, abuse ${busy.lagP99Ms} ms`);
    console.log(`peak RSS: ${peaks.join(', ')}`);
    for (const l of seatLines) console.log(`  ${l}`);
    for (const n of cluster.nodes) console.log(`  ${n.name} /metrics: ${await edgeMetrics(adminAgent, n.apiPort)}`);
    console.log('answers per abusive client (HTTP status: count; conn-error: the connection failed or was dropped):');
    for (const [i, r] of results.entries()) console.log(`  ${roles[i]!.padEnd(10)} ${show(r.answers)}${r.note ? `; ${r.note}` : ''}; its event-loop lag p99 ${r.lagP99Ms} ms`);

    // Every acknowledged create must be there (read through a fresh connection, after the abuse).
    const floodAcked = results[roles.indexOf('flood')]?.acked ?? [];
    const lost: string[] = [];
    for (const [ns, names] of [['polite', acked], ['flood', floodAcked]] as const) {
      const r = await call(adminAgent, port, 'GET', `/api/v1/namespaces/${ns}/configmaps`);
      const have = new Set((JSON.parse(r.body) as { items: { metadata: { name: string } }[] }).items.map((o) => o.metadata.name));
      for (const n of names) if (!have.has(n)) lost.push(`${ns}/${n}`);
    }
    console.log(`acknowledged creates: polite ${acked.length}, flood ${floodAcked.length}; lost: ${lost.length}${lost.length ? ` (${lost.slice(0, 5).join(', ')})` : ''}`);
    failed = lost.length > 0;
    adminAgent.destroy();
  } finally {
    if (PROFILE_DIR) await Promise.all(cluster.nodes.map((n) => n.stop()));
    await cluster.shutdown();
    if (PROFILE_DIR) console.log(`node logs kept in ${cluster.dir}`);
    else rmSync(cluster.dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

await main();
