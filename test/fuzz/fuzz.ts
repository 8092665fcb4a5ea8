import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { listen } from '../../internal/apiserver/index.js';
import { createRealServer, type RealServer } from '../../internal/apiserver/testing/real.js';
import { SEED_OBJECTS, type FuzzRequest, type FuzzTarget } from './targets.js';

/**
 * Runs fuzz targets against the real apiserver (real registry, memory backend) and checks, for
 * every generated request: the answer is a success or a well-formed Status with a 4xx code (never
 * a 5xx, never a non-Status error body), the server does not crash or hang, and a refused request
 * writes nothing (the store's revision does not move).
 */
export interface FuzzServer {
  rs: RealServer;
  port: number;
  close(): Promise<void>;
}

export async function startFuzzServer(): Promise<FuzzServer> {
  // Reads at a future resourceVersion answer 504 after this wait (upstream waits ~3 s).
  const rs = await createRealServer({ limits: { minWatchTimeoutSeconds: 1 } }, { futureRevisionWaitMs: 20 });
  for (const { url, body } of SEED_OBJECTS) {
    const r = await rs.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    if (r.statusCode !== 201) throw new Error(`seeding ${url}: ${r.statusCode} ${r.body}`);
  }
  const { port } = await listen(rs.app, '127.0.0.1', 0);
  return { rs, port, close: () => rs.app.close() };
}

interface Answer {
  status: number;
  body: string;
}

const HANG_MS = 10_000;

async function send(server: FuzzServer, target: FuzzTarget, req: FuzzRequest): Promise<Answer> {
  if (target.transport === 'http') return sendHttp(server.port, req);
  const answer = server.rs.app.inject({ method: req.method, url: req.url, headers: req.headers ?? {}, payload: req.payload }).then((r) => ({ status: r.statusCode, body: r.body }));
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`no answer within ${HANG_MS} ms`)), HANG_MS)));
  try {
    return await Promise.race([answer, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** A watch streams: a 200 status line is the answer; an error status is read to its end. */
function sendHttp(port: number, req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, timeout: HANG_MS }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 300) {
        res.destroy();
        return resolve({ status, body: '' });
      }
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status, body }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`no answer within ${HANG_MS} ms`)));
    r.on('error', reject);
    r.end(req.payload);
  });
}

/** Why an answer breaks the properties, or undefined when it holds. */
export function violation(a: Answer, revisionBefore: number, revisionAfter: number): string | undefined {
  if (a.status >= 200 && a.status < 300) return undefined;
  // Upstream answers a read at a future resourceVersion 504 Timeout, cause ResourceVersionTooLarge.
  const tooLarge = a.status === 504 && a.body.includes('"reason":"ResourceVersionTooLarge"');
  if (a.status < 400 || (a.status >= 500 && !tooLarge)) return `HTTP ${a.status}: ${a.body.slice(0, 300)}`;
  let s: { kind?: unknown; apiVersion?: unknown; status?: unknown; code?: unknown; message?: unknown; reason?: unknown };
  try {
    s = JSON.parse(a.body);
  } catch {
    return `HTTP ${a.status} with a body that is not JSON: ${a.body.slice(0, 200)}`;
  }
  if (s.kind !== 'Status' || s.apiVersion !== 'v1' || s.status !== 'Failure' || s.code !== a.status || typeof s.message !== 'string' || typeof s.reason !== 'string') {
    return `HTTP ${a.status} with a body that is not a well-formed Status: ${a.body.slice(0, 300)}`;
  }
  if (revisionAfter !== revisionBefore) return `HTTP ${a.status} but the store's revision moved ${revisionBefore} → ${revisionAfter}: ${s.message}`;
  return undefined;
}

export interface TargetResult {
  target: string;
  cases: number;
  failure?: string;
  counterexample?: FuzzRequest;
  seed: number;
}

/** Runs one target for `cases` generated requests (fast-check shrinks a failure to a small case). */
export async function fuzzTarget(server: FuzzServer, target: FuzzTarget, cases: number, seed?: number): Promise<TargetResult> {
  let lastFailure: string | undefined;
  const prop = fc.asyncProperty(target.requests, async (req) => {
    const before = await server.rs.revision();
    const answer = await send(server, target, req);
    const after = await server.rs.revision();
    const why = violation(answer, before, after);
    if (why) lastFailure = why;
    return why === undefined;
  });
  const details = await fc.check(prop, { numRuns: cases, ...(seed !== undefined ? { seed } : {}), endOnFailure: false, maxSkipsPerRun: 0 });
  return {
    target: target.name,
    cases: details.numRuns,
    seed: details.seed,
    ...(details.failed ? { failure: lastFailure ?? String(details.errorInstance ?? 'failed'), counterexample: details.counterexample?.[0] } : {}),
  };
}
