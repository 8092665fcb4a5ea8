import { randomUUID } from 'node:crypto';
import { isApiError } from '../../api/index.js';
import type { ApiRequest, Handler } from '../../registry/index.js';
import { auditEvent, type RequestFacts } from './event.js';
import { auditLevel, type AuditRequest, type AuditStage } from './policy.js';
import type { Auditor } from './index.js';

const METHODS: Record<string, string> = { get: 'GET', list: 'GET', watch: 'GET', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE' };

/** The URL an HTTP client would have used for the request (what the event's requestURI shows). */
export function requestURI(r: ApiRequest): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const parts = [base, ...(r.namespace ? ['namespaces', r.namespace] : []), r.resource, ...(r.name ? [r.name] : []), ...(r.subresource ? [r.subresource] : [])];
  return parts.join('/') + (r.verb === 'watch' ? '?watch=true' : '');
}

/**
 * The in-process client's requests (the plugins: controllers, scheduler, hollow nodes) audited by
 * the same policy as HTTP requests: same levels, stages, annotations and Event shape; the source
 * IP is the loopback address (the calls never leave the process). Watches are recorded at
 * RequestReceived only, as the HTTP layer records them.
 */
export function auditedHandler(inner: Handler, auditor: Auditor, now: () => number = Date.now): Handler {
  const begin = (r: ApiRequest) => {
    const facts: RequestFacts = { method: METHODS[r.verb] ?? 'GET', url: requestURI(r), watch: r.verb === 'watch', sourceIP: '127.0.0.1', userAgent: r.userAgent ?? 'kplane', user: r.user };
    // The version rides along as the HTTP layer's does (the event's objectRef.apiVersion).
    const resource = { group: r.group, version: r.version, resource: r.resource, ...(r.subresource ? { subresource: r.subresource } : {}), ...(r.namespace ? { namespace: r.namespace } : {}), ...(r.name ? { name: r.name } : {}) };
    const req: AuditRequest = { user: r.user, verb: r.verb, resource };
    const { level, omitStages } = auditLevel(auditor.policy, req);
    if (level === 'None') return undefined;
    const id = randomUUID();
    const received = now();
    const write = (stage: AuditStage, extra: { response?: { code: number; body?: unknown }; requestObject?: unknown; annotations?: Map<string, string> } = {}) => {
      if (!omitStages.has(stage)) auditor.backend.write(JSON.stringify(auditEvent({ auditID: id, level, stage, facts, req, receivedMs: received, stageMs: now(), ...extra })));
    };
    write('RequestReceived');
    return { level, write };
  };
  return {
    async handle(r) {
      const a = begin(r);
      if (!a) return inner.handle(r);
      const annotations = r.auditAnnotations ?? new Map<string, string>();
      const requestObject = 'body' in r ? r.body : 'patch' in r ? r.patch : undefined;
      try {
        const res = await inner.handle({ ...r, auditAnnotations: annotations });
        a.write('ResponseComplete', { response: { code: res.code, body: a.level === 'RequestResponse' ? res.body : undefined }, requestObject, annotations });
        return res;
      } catch (err) {
        if (isApiError(err)) a.write('ResponseComplete', { response: { code: err.code, body: err.status }, requestObject, annotations });
        throw err;
      }
    },
    watch(r) {
      begin(r);
      return inner.watch(r);
    },
  };
}
