import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Query } from './query.js';
import { sendJson } from './status.js';

/**
 * /healthz, /livez, /readyz and /version, in kube-apiserver's format: `ok`, or with `?verbose` one
 * `[+]<check> ok` line per check and `<endpoint> check passed`; a failing check answers 500 with the
 * list and `[-]<check> failed: reason withheld`. `?exclude=<check>` skips a check,
 * `/<endpoint>/<check>` runs one (404 when unknown).
 */

/** A named health check; it fails when it returns false or throws. */
export interface HealthCheck {
  name: string;
  check(): boolean | void | Promise<boolean | void>;
  /**
   * Optional words for `?verbose`, after the check's result (e.g. a peer it cannot reach): for the
   * operator reading the list, never a reason to pass or fail.
   */
  describe?(): string | undefined;
}

/** The /version document, as upstream (kubectl prints gitVersion and compares major/minor). */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export interface HealthOptions {
  liveness: HealthCheck[];
  readiness: HealthCheck[];
  version: VersionInfo;
  /** True once shutdown began: /readyz fails while /livez stays ok, so load balancers drain us. */
  isShuttingDown(): boolean;
  /** Informational lines for `/readyz?verbose` (e.g. plugin states); they never fail the check. */
  readyInfo?: () => string[];
}

const ping: HealthCheck = { name: 'ping', check: () => true };

async function passes(c: HealthCheck): Promise<boolean> {
  try {
    return (await c.check()) !== false;
  } catch {
    return false;
  }
}

function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function sendText(reply: FastifyReply, code: number, text: string): FastifyReply {
  return reply.code(code).header('Content-Type', 'text/plain; charset=utf-8').header('X-Content-Type-Options', 'nosniff').send(text);
}

async function runAll(endpoint: string, checks: HealthCheck[], request: FastifyRequest, reply: FastifyReply, info?: () => string[]) {
  const q = request.query as Query;
  const excluded = new Set(asList(q.exclude));
  const verbose = q.verbose !== undefined;
  const lines: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (excluded.delete(c.name)) {
      lines.push(`[+]${c.name} excluded: ok`);
      continue;
    }
    const note = verbose ? c.describe?.() : undefined;
    if (await passes(c)) {
      lines.push(`[+]${c.name} ok${note ? ` (${note})` : ''}`);
    } else {
      failed = true;
      lines.push(`[-]${c.name} failed: ${note ?? 'reason withheld'}`);
    }
  }
  if (excluded.size) lines.push(`warn: some health checks cannot be excluded: no matches for ${[...excluded].map((e) => `"${e}"`).join(',')}`);
  if (failed) {
    request.log.info({ endpoint, checks: lines }, `${endpoint} check failed`);
    return sendText(reply, 500, `${lines.join('\n')}\n${endpoint} check failed\n`);
  }
  if (verbose && info) lines.push(...info());
  return sendText(reply, 200, verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok');
}

async function runOne(checks: HealthCheck[], name: string, reply: FastifyReply) {
  const c = checks.find((x) => x.name === name);
  if (!c) return sendText(reply, 404, '404 page not found\n');
  return (await passes(c)) ? sendText(reply, 200, 'ok') : sendText(reply, 500, 'internal server error: reason withheld\n');
}

export function registerHealthRoutes(app: FastifyInstance, opts: HealthOptions): void {
  const shutdown: HealthCheck = { name: 'shutdown', check: () => !opts.isShuttingDown() };
  const sets: Record<string, HealthCheck[]> = {
    livez: [ping, ...opts.liveness],
    healthz: [ping, ...opts.liveness, ...opts.readiness],
    readyz: [ping, ...opts.liveness, ...opts.readiness, shutdown],
  };
  for (const [endpoint, checks] of Object.entries(sets)) {
    app.get(`/${endpoint}`, (req, reply) => runAll(endpoint, checks, req, reply, endpoint === 'readyz' ? opts.readyInfo : undefined));
    app.get(`/${endpoint}/*`, (req, reply) => runOne(checks, (req.params as { '*': string })['*'], reply));
  }
  const versionBody = JSON.stringify(opts.version, null, 2);
  app.get('/version', (_req, reply) => sendJson(reply, versionBody));
}
