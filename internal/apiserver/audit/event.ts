// audit.k8s.io/v1 Events: what a request looked like at a stage, at the level the policy chose.
import { randomUUID } from 'node:crypto';
import { parseApiPath } from '../path.js';
import type { AuditLevel, AuditRequest, AuditStage } from './policy.js';

/** The request facts an event is made of, gathered by the HTTP layer. */
export interface RequestFacts {
  method: string;
  url: string;
  /** Whether ?watch=true (or the legacy /watch/ path) made a GET a watch. */
  watch: boolean;
  sourceIP: string;
  userAgent?: string;
  user?: { name: string; groups: string[]; uid?: string; extra?: Record<string, string[]> };
}

/** The policy's view of a request: verb, resource or path (Kubernetes' request-info rules). */
export function auditRequestOf(f: RequestFacts): AuditRequest {
  const path = f.url.split('?')[0]!;
  const user = f.user ?? { name: '', groups: [] };
  const p = parseApiPath(path);
  if (p?.kind !== 'resource') return { user, verb: f.method.toLowerCase(), path };
  let verb: string;
  switch (f.method) {
    case 'GET':
      verb = p.name && !f.watch && !p.legacyWatch ? 'get' : f.watch || p.legacyWatch ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = p.name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = f.method.toLowerCase();
  }
  const resource = { group: p.group, version: p.version, resource: p.resource, ...(p.subresource ? { subresource: p.subresource } : {}), ...(p.namespace ? { namespace: p.namespace } : {}), ...(p.name ? { name: p.name } : {}) };
  return { user, verb, resource };
}

const nameOf = (o: unknown) => {
  const name = (o as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
  return typeof name === 'string' && name ? { name } : {};
};

/** RFC 3339 with microseconds, as Go's metav1.MicroTime. */
export const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export interface AuditEventInput {
  auditID?: string;
  level: AuditLevel;
  stage: AuditStage;
  facts: RequestFacts;
  req: AuditRequest;
  receivedMs: number;
  stageMs: number;
  /** ResponseComplete: the HTTP code and, for a Status body, its status/reason/message. */
  response?: { code: number; body?: unknown };
  /** The decoded request body: recorded at Request and RequestResponse; names a created object at every level. */
  requestObject?: unknown;
  /** Audit annotations admission added (ResponseComplete; at every level, as upstream). */
  annotations?: Map<string, string>;
}

/** One audit.k8s.io/v1 Event; request and response objects only at the levels that carry them. */
export function auditEvent(e: AuditEventInput): Record<string, unknown> {
  const u = e.facts.user;
  const r = e.req.resource as (AuditRequest['resource'] & { version?: string }) | undefined;
  const ev: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: e.level,
    auditID: e.auditID ?? randomUUID(),
    stage: e.stage,
    requestURI: e.facts.url,
    verb: e.req.verb,
    user: u ? { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) } : {},
    sourceIPs: [e.facts.sourceIP],
    ...(e.facts.userAgent ? { userAgent: e.facts.userAgent } : {}),
  };
  if (r) {
    ev.objectRef = {
      resource: r.resource,
      ...(r.namespace ? { namespace: r.namespace } : {}),
      // A create names its object in the body, as upstream fills it in from the decoded object.
      ...(r.name ? { name: r.name } : nameOf(e.requestObject)),
      ...(r.group ? { apiGroup: r.group } : {}),
      ...(r.version ? { apiVersion: r.version } : {}),
      ...(r.subresource ? { subresource: r.subresource } : {}),
    };
  }
  if (e.response) {
    const s = e.response.body as { kind?: string; status?: string; reason?: string; message?: string } | undefined;
    const isStatus = s?.kind === 'Status';
    ev.responseStatus = { metadata: {}, ...(isStatus && s.status ? { status: s.status } : {}), ...(isStatus && s.message ? { message: s.message } : {}), ...(isStatus && s.reason ? { reason: s.reason } : {}), code: e.response.code };
  }
  if ((e.level === 'Request' || e.level === 'RequestResponse') && e.requestObject !== undefined) ev.requestObject = e.requestObject;
  if (e.level === 'RequestResponse' && e.response?.body !== undefined) ev.responseObject = e.response.body;
  ev.requestReceivedTimestamp = microTime(e.receivedMs);
  if (e.annotations?.size) ev.annotations = Object.fromEntries(e.annotations);
  ev.stageTimestamp = microTime(e.stageMs);
  return ev;
}
