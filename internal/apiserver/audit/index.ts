// The audit log: upstream's audit.k8s.io/v1 Policy decides, per request, the level (None, Metadata,
// Request, RequestResponse) and the stages left out; audit.k8s.io/v1 Events are written as JSON
// lines to a file that rotates by size (--audit-log-path, --audit-policy-file, --audit-log-maxsize,
// --audit-log-maxbackup).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserInfo } from '../../registry/index.js';
import { isWatchRequest, type Query } from '../query.js';
import { auditEvent, auditRequestOf, type RequestFacts } from './event.js';
import { auditLevel, type AuditLevel, type AuditPolicy, type AuditRequest, type AuditStage } from './policy.js';

export { parsePolicy, auditLevel, type AuditPolicy, type AuditLevel, type AuditStage } from './policy.js';
export { auditEvent, auditRequestOf, microTime } from './event.js';
export { RotatingFile } from './writer.js';
export { auditedHandler } from './handler.js';

/** Where events go: one JSON line each. */
export interface AuditBackend {
  write(line: string): void;
}

export interface Auditor {
  policy: AuditPolicy;
  backend: AuditBackend;
}

interface InFlight {
  id: string;
  level: AuditLevel;
  omit: Set<AuditStage>;
  facts: RequestFacts;
  req: AuditRequest;
  received: number;
}

/** Request bodies as the API handler decoded them (JSON or protobuf), for the Request and RequestResponse levels. */
const decoded = new WeakMap<FastifyRequest, unknown>();
export function noteRequestObject(request: FastifyRequest, obj: unknown): void {
  if (obj !== undefined) decoded.set(request, obj);
}

/** The audit annotations admission adds while the request is handled (written at ResponseComplete). */
const annotationsOf = new WeakMap<FastifyRequest, Map<string, string>>();
export function noteAuditAnnotations(request: FastifyRequest, annotations: Map<string, string>): void {
  annotationsOf.set(request, annotations);
}

function parseJson(body: unknown): unknown {
  if (body === undefined || body === null) return undefined;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
  if (text === undefined) return typeof body === 'object' ? body : undefined;
  if (text.length === 0 || (text[0] !== '{' && text[0] !== '[')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Adds the audit hooks. Register after the authentication hook: `userOf` reads the user it set (a
 * request refused before that is audited with an empty user, as upstream's failed-authentication
 * events are). Long-running requests that take over the connection (watches) are recorded at
 * RequestReceived only.
 */
export function registerAudit(app: FastifyInstance, auditor: Auditor, userOf: (r: FastifyRequest) => UserInfo | undefined, now: () => number = Date.now): void {
  const flights = new WeakMap<FastifyRequest, InFlight>();
  const write = (f: InFlight, stage: AuditStage, response?: { code: number; body?: unknown }, requestObject?: unknown, annotations?: Map<string, string>) => {
    if (f.omit.has(stage)) return;
    auditor.backend.write(JSON.stringify(auditEvent({ auditID: f.id, level: f.level, stage, facts: f.facts, req: f.req, receivedMs: f.received, stageMs: now(), response, requestObject, annotations })));
  };
  const start = (request: FastifyRequest): InFlight | undefined => {
    const user = userOf(request);
    const facts: RequestFacts = {
      method: request.method,
      url: request.url,
      watch: isWatchRequest((request.query ?? {}) as Query),
      sourceIP: request.ip,
      ...(typeof request.headers['user-agent'] === 'string' ? { userAgent: request.headers['user-agent'] } : {}),
      ...(user ? { user } : {}),
    };
    const req = auditRequestOf(facts);
    const { level, omitStages } = auditLevel(auditor.policy, req);
    if (level === 'None') return undefined;
    const f: InFlight = { id: randomUUID(), level, omit: omitStages, facts, req, received: now() };
    flights.set(request, f);
    return f;
  };
  app.addHook('onRequest', async (request) => {
    const f = start(request);
    if (f) write(f, 'RequestReceived');
  });
  // ResponseComplete is written before the response leaves (onSend), so a client that saw its
  // answer finds the event in the log.
  app.addHook('onSend', async (request, reply, payload) => {
    const f = flights.get(request) ?? (userOf(request) ? undefined : start(request));
    if (!f) return payload;
    flights.delete(request);
    // The body: the response object (RequestResponse), or a refusal's Status (every level shows its message).
    const body = f.level === 'RequestResponse' || reply.statusCode >= 400 ? parseJson(payload) : undefined;
    write(f, 'ResponseComplete', { code: reply.statusCode, body }, decoded.get(request) ?? (f.level === 'Request' || f.level === 'RequestResponse' ? parseJson(request.body) : undefined), annotationsOf.get(request));
    return payload;
  });
}
