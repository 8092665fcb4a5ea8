import { Agent, request } from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { call, cm, count, polite, type Creds } from './abuse-client.js';

// One client of `npm run bench:abuse` per process, so that no client's latencies include waiting
// behind another client's work in a shared event loop (1,000 TLS slowloris sockets alone keep one
// busy). Asked over IPC: {role, port, creds, seconds, tag} → WorkerResult.

export type Role = 'polite' | 'watch' | 'flood' | 'big' | 'list' | 'slowloris';

export interface Ask {
  role: Role;
  port: number;
  creds: Creds;
  seconds: number;
  tag: string;
}

export interface WorkerResult {
  answers: [number, number][];
  /** Names of the creates answered 201. */
  acked: string[];
  gets: number[];
  creates: number[];
  /** This process's event-loop delay, p99 in ms: a client that lags measures itself, not the server. */
  lagP99Ms: number;
  note: string;
}

const WATCHES = 10_000;
const SLOW_CONNECTIONS = 1_000;

async function loop(seconds: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) await fn(n++);
  }));
}

type Run = Omit<WorkerResult, 'lagP99Ms'>;
const agentOf = (c: Creds, maxSockets: number) => new Agent({ ...c, servername: 'kubernetes', keepAlive: true, maxSockets });

/** Opens watches (WATCHES attempts in all, 200 at a time) and keeps the accepted ones reading. */
async function watches(a: Ask): Promise<Run> {
  const answers = new Map<number, number>();
  const agent = agentOf(a.creds, WATCHES);
  const open: (() => void)[] = [];
  let tried = 0;
  await loop(a.seconds, 200, async () => {
    if (tried >= WATCHES) return new Promise((r) => setTimeout(r, 100));
    tried++;
    await new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port: a.port, path: '/api/v1/namespaces/flood/configmaps?watch=1&timeoutSeconds=600', agent }, (res) => {
        count(answers, res.statusCode ?? 0);
        if (res.statusCode === 200) open.push(() => req.destroy());
        res.resume();
        resolve();
      });
      req.on('error', () => (count(answers, -1), resolve()));
      req.end();
    });
  });
  const note = `${tried} watches tried, ${open.length} open at the end`;
  for (const close of open) close();
  agent.destroy();
  return { answers: [...answers], acked: [], gets: [], creates: [], note };
}

/** Creates at full speed (64 at once); remembers every acknowledged name. */
async function flood(a: Ask): Promise<Run> {
  const answers = new Map<number, number>();
  const agent = agentOf(a.creds, 64);
  const acked: string[] = [];
  await loop(a.seconds, 64, async (i) => {
    const r = await call(agent, a.port, 'POST', '/api/v1/namespaces/flood/configmaps', cm(`f-${a.tag}-${i}`));
    count(answers, r.status);
    if (r.status === 201) acked.push(`f-${a.tag}-${i}`);
  });
  agent.destroy();
  return { answers: [...answers], acked, gets: [], creates: [], note: '' };
}

/** The same request over and over, `concurrency` at once. */
async function repeat(a: Ask, concurrency: number, method: string, path: string, body?: Buffer): Promise<Run> {
  const answers = new Map<number, number>();
  const agent = agentOf(a.creds, concurrency);
  await loop(a.seconds, concurrency, async () => {
    count(answers, (await call(agent, a.port, method, path, body)).status);
  });
  agent.destroy();
  return { answers: [...answers], acked: [], gets: [], creates: [], note: '' };
}

/** Connections that trickle a header byte a second, reopened a second after the server drops them. */
async function slowloris(a: Ask): Promise<Run> {
  const answers = new Map<number, number>();
  const slow = new Set<TLSSocket>();
  let stop = false;
  let opened = 0;
  const open = (): void => {
    if (stop) return;
    opened++;
    const s = tlsConnect({ host: '127.0.0.1', port: a.port, rejectUnauthorized: false, servername: 'kubernetes' }, () => s.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n'));
    slow.add(s);
    let answered = false;
    s.on('data', (d) => {
      if (!answered) count(answers, Number(/^HTTP\/1.1 (\d+)/.exec(String(d))?.[1] ?? 0));
      answered = true;
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      if (!answered) count(answers, -1);
      slow.delete(s);
      setTimeout(open, 1000);
    });
  };
  for (let i = 0; i < SLOW_CONNECTIONS; i++) open();
  const trickle = setInterval(() => {
    for (const s of slow) if (s.writable) s.write('X');
  }, 1000);
  await new Promise((r) => setTimeout(r, a.seconds * 1000));
  stop = true;
  clearInterval(trickle);
  for (const s of slow) s.destroy();
  return { answers: [...answers], acked: [], gets: [], creates: [], note: `${opened} connections opened` };
}

let politeAgent: Agent | undefined;

async function run(a: Ask): Promise<Run> {
  switch (a.role) {
    case 'polite': {
      politeAgent ??= agentOf(a.creds, 4);
      return { ...(await polite(politeAgent, a.port, a.seconds, a.tag)), note: '' };
    }
    case 'watch':
      return watches(a);
    case 'flood':
      return flood(a);
    case 'big':
      return repeat(a, 4, 'POST', '/api/v1/namespaces/flood/configmaps', Buffer.from(cm('big', 'x'.repeat(4 * 1024 * 1024))));
    case 'list':
      return repeat(a, 4, 'GET', '/api/v1/namespaces/bulk/configmaps');
    case 'slowloris':
      return slowloris(a);
  }
}

process.on('message', (a: Ask) => {
  const lag = monitorEventLoopDelay();
  lag.enable();
  void run(a).then((r) => {
    lag.disable();
    process.send!({ ...r, lagP99Ms: Math.round(lag.percentile(99) / 1e6) } satisfies WorkerResult);
  });
});
process.on('disconnect', () => process.exit(0));
