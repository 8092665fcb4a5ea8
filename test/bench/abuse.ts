import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { issueCert } from '../../internal/app/pki.js';
import { HaCluster, type HaNode } from '../e2e/ha-harness.js';

// `npm run bench:abuse [-- --nodes 3] [-- --seconds 30]`: abusive clients against a fresh kplane on
// loopback (one node, or three behind HAProxy), while a well-behaved client does GETs and creates.
// Reports that client's p99 under abuse against its p99 on the idle server, the nodes' peak RSS,
// the answers each abusive client got, and whether any acknowledged create is missing afterwards.
// Bounded: each phase runs for --seconds; counts are capped as below.

const arg = (n: string, d: number) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const NODES = arg('nodes', 1);
const SECONDS = arg('seconds', 30);
const WATCHES = 10_000;
const SLOW_CONNECTIONS = 1_000;
const LIST_OBJECTS = 5_000;

interface Creds {
  ca: string;
  cert: string;
  key: string;
}
type Answer = { status: number; body: string; ms: number };

function call(agent: Agent, port: number, method: string, path: string, body?: Buffer | string, timeoutMs = 60_000): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, timeout: timeoutMs, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
      res.on('error', () => resolve({ status: -1, body: '', ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: -1, body: '', ms: performance.now() - t0 }));
    req.end(body);
  });
}

const cm = (name: string, data = 'v') => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: data } });
const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]! : NaN;
};
const count = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
const show = (m: Map<number, number>) => [...m].sort(([a], [b]) => a - b).map(([k, v]) => `${k === -1 ? 'conn-error' : k}:${v}`).join(' ');

/** The well-behaved client: GET one object, create one, for `seconds`; every acknowledged create is remembered. */
async function polite(agent: Agent, port: number, seconds: number, tag: string, acked: string[]): Promise<number[]> {
  const lat: number[] = [];
  const end = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    const g = await call(agent, port, 'GET', '/api/v1/namespaces/polite/configmaps/probe');
    lat.push(g.ms);
    const name = `${tag}-${i}`;
    const c = await call(agent, port, 'POST', '/api/v1/namespaces/polite/configmaps', cm(name));
    lat.push(c.ms);
    if (c.status === 201) acked.push(name);
  }
  return lat;
}

async function loop(seconds: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) await fn(n++);
  }));
}

function rssPeakMiB(node: HaNode): number {
  const status = readFileSync(`/proc/${node.proc!.pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024);
}

async function main(): Promise<void> {
  const cluster = new HaCluster(['--plugins', 'none']);
  let failed = false;
  try {
    await cluster.found();
    for (let i = 1; i < NODES; i++) await cluster.join();
    let port = cluster.founder.apiPort;
    if (NODES > 1) {
      await cluster.startHaproxy(cluster.nodes);
      port = cluster.haproxyPort;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const admin = cluster.creds();
    const ca = { certPem: admin.ca, keyPem: readFileSync(`${cluster.founder.dataDir}/pki/ca.key`, 'utf8') };
    // Each client is its own user (its own flow); all may do anything (system:masters).
    const agentFor = (user: string, maxSockets = 64): Agent => {
      const c = issueCert(ca, { subject: { commonName: user, organizations: ['system:masters'] }, client: true });
      return new Agent({ ca: admin.ca, cert: c.certPem, key: c.keyPem, servername: 'kubernetes', keepAlive: true, maxSockets });
    };
    const adminAgent = new Agent({ ...(admin as Creds), servername: 'kubernetes', keepAlive: true, maxSockets: 32 });
    for (const ns of ['polite', 'flood', 'bulk']) await call(adminAgent, port, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
    await call(adminAgent, port, 'POST', '/api/v1/namespaces/polite/configmaps', cm('probe'));
    console.log(`${NODES} node(s); filling bulk with ${LIST_OBJECTS} ConfigMaps...`);
    let made = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (made < LIST_OBJECTS) await call(adminAgent, port, 'POST', '/api/v1/namespaces/bulk/configmaps', cm(`bulk-${made++}`));
    }));

    const politeAgent = agentFor('polite', 4);
    const acked: string[] = [];
    await polite(politeAgent, port, 3, 'warm', acked);
    const idle = await polite(politeAgent, port, SECONDS, 'idle', acked);
    console.log(`idle: ${idle.length} requests, p99 ${p99(idle).toFixed(1)} ms`);

    const answers: Record<string, Map<number, number>> = { watch: new Map(), flood: new Map(), big: new Map(), slowloris: new Map(), list: new Map() };
    const floodAcked: string[] = [];
    const watchAgent = agentFor('abuser-watch', WATCHES);
    const openWatches: (() => void)[] = [];
    const watcher = (async () => {
      await loop(SECONDS, 200, async () => {
        if (openWatches.length + (answers.watch.get(429) ?? 0) >= WATCHES) return new Promise((r) => setTimeout(r, 100));
        await new Promise<void>((resolve) => {
          const req = request({ host: '127.0.0.1', port, path: '/api/v1/namespaces/flood/configmaps?watch=1&timeoutSeconds=600', agent: watchAgent }, (res) => {
            count(answers.watch, res.statusCode ?? 0);
            if (res.statusCode === 200) {
              openWatches.push(() => req.destroy());
              res.resume();
            } else res.resume();
            resolve();
          });
          req.on('error', () => (count(answers.watch, -1), resolve()));
          req.end();
        });
      });
    })();
    const floodAgent = agentFor('abuser-flood', 64);
    const flood = loop(SECONDS, 64, async (i) => {
      const r = await call(floodAgent, port, 'POST', '/api/v1/namespaces/flood/configmaps', cm(`f-${i}`));
      count(answers.flood, r.status);
      if (r.status === 201) floodAcked.push(`f-${i}`);
    });
    const bigAgent = agentFor('abuser-big', 4);
    const big = Buffer.from(cm('big', 'x'.repeat(4 * 1024 * 1024)));
    const bigs = loop(SECONDS, 4, async () => {
      count(answers.big, (await call(bigAgent, port, 'POST', '/api/v1/namespaces/flood/configmaps', big)).status);
    });
    const listAgent = agentFor('abuser-list', 4);
    const lists = loop(SECONDS, 4, async () => {
      count(answers.list, (await call(listAgent, port, 'GET', '/api/v1/namespaces/bulk/configmaps')).status);
    });
    // Slowloris: connections that trickle a header byte a second, reopened when the server drops them.
    const slow = new Set<TLSSocket>();
    let slowStop = false;
    const openSlow = (): void => {
      if (slowStop) return;
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'kubernetes' }, () => s.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n'));
      slow.add(s);
      let answered = false;
      s.on('data', (d) => {
        if (!answered) count(answers.slowloris, Number(/^HTTP\/1.1 (\d+)/.exec(String(d))?.[1] ?? 0));
        answered = true;
      });
      s.on('error', () => undefined);
      s.on('close', () => {
        if (!answered) count(answers.slowloris, -1);
        slow.delete(s);
        setTimeout(openSlow, 1000);
      });
    };
    for (let i = 0; i < SLOW_CONNECTIONS; i++) openSlow();
    const trickle = setInterval(() => {
      for (const s of slow) if (s.writable) s.write('X');
    }, 1000);

    const busy = await polite(politeAgent, port, SECONDS, 'busy', acked);
    await Promise.all([watcher, flood, bigs, lists]);
    slowStop = true;
    clearInterval(trickle);
    for (const s of slow) s.destroy();
    for (const close of openWatches) close();
    const peaks = cluster.nodes.map((n) => `${n.name} ${rssPeakMiB(n)} MiB`);
    console.log(`abuse: polite ${busy.length} requests, p99 ${p99(busy).toFixed(1)} ms (${(p99(busy) / p99(idle)).toFixed(2)}x idle)`);
    console.log(`peak RSS: ${peaks.join(', ')}`);
    console.log(`open watches at the end: ${openWatches.length}`);
    for (const [k, m] of Object.entries(answers)) console.log(`  ${k.padEnd(10)} ${show(m)}`);

    // Every acknowledged create must be there (read through a fresh connection, after the abuse).
    const lost: string[] = [];
    for (const [ns, names] of [['polite', acked], ['flood', floodAcked]] as const) {
      const r = await call(adminAgent, port, 'GET', `/api/v1/namespaces/${ns}/configmaps`);
      const have = new Set((JSON.parse(r.body) as { items: { metadata: { name: string } }[] }).items.map((o) => o.metadata.name));
      for (const n of names) if (!have.has(n)) lost.push(`${ns}/${n}`);
    }
    console.log(`acknowledged creates: polite ${acked.length}, flood ${floodAcked.length}; lost: ${lost.length}${lost.length ? ` (${lost.slice(0, 5).join(', ')})` : ''}`);
    failed = lost.length > 0;
    for (const a of [adminAgent, politeAgent, watchAgent, floodAgent, bigAgent, listAgent]) a.destroy();
  } finally {
    await cluster.shutdown();
    rmSync(cluster.dir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

await main();
