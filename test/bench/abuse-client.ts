import { Agent, request } from 'node:https';

/** HTTPS calls and the well-behaved client of `npm run bench:abuse` (shared by its two processes). */

export interface Creds {
  ca: string;
  cert: string;
  key: string;
}
export type Answer = { status: number; body: string; ms: number };

export function call(agent: Agent, port: number, method: string, path: string, body?: Buffer | string, timeoutMs = 60_000): Promise<Answer> {
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

export const cm = (name: string, data = 'v') => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: data } });

export const count = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);

export interface PoliteRun {
  gets: number[];
  creates: number[];
  /** Answers by HTTP status (-1: the connection failed). */
  answers: [number, number][];
  /** Names of the creates answered 201. */
  acked: string[];
}

/** The well-behaved client: GET one object, create one, again, for `seconds`. */
export async function polite(agent: Agent, port: number, seconds: number, tag: string): Promise<PoliteRun> {
  const answers = new Map<number, number>();
  const run: PoliteRun = { gets: [], creates: [], answers: [], acked: [] };
  const end = Date.now() + seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    const g = await call(agent, port, 'GET', '/api/v1/namespaces/polite/configmaps/probe');
    run.gets.push(g.ms);
    count(answers, g.status);
    const name = `${tag}-${i}`;
    const c = await call(agent, port, 'POST', '/api/v1/namespaces/polite/configmaps', cm(name));
    run.creates.push(c.ms);
    count(answers, c.status);
    if (c.status === 201) run.acked.push(name);
  }
  run.answers = [...answers];
  return run;
}
