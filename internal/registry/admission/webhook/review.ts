import { ApiError, applyJsonPatch, type KubeObject } from '../../../api/index.js';
import type { AdmissionAttributes } from '../../admission.js';
import type { Loose } from '../lookup.js';

const OPTIONS_KIND: Record<string, string> = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' };

/** The admission.k8s.io/v1 AdmissionReview a webhook receives for a request. */
export function admissionReview(a: AdmissionAttributes, uid: string): Loose {
  const d = a.definition;
  const r = a.requestDefinition;
  const kind = { group: d.group, version: d.version, kind: d.kind };
  const resource = { group: d.group, version: d.version, resource: d.plural };
  const request: Loose = {
    uid,
    kind,
    resource,
    ...(a.subresource ? { subResource: a.subresource } : {}),
    requestKind: r ? { group: r.group, version: r.version, kind: r.kind } : kind,
    requestResource: r ? { group: r.group, version: r.version, resource: r.plural } : resource,
    ...(a.subresource ? { requestSubResource: a.subresource } : {}),
    ...(a.name ? { name: a.name } : {}),
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo: { username: a.user.name, ...(a.user.uid ? { uid: a.user.uid } : {}), groups: a.user.groups, ...(a.user.extra ? { extra: a.user.extra } : {}) },
    object: a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: a.dryRun,
    options: OPTIONS_KIND[a.operation] ? { apiVersion: 'meta.k8s.io/v1', kind: OPTIONS_KIND[a.operation] } : null,
  };
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

/** What a webhook answered, checked. */
export interface ReviewOutcome {
  allowed: boolean;
  /** Denials: the Status the webhook gave (code, reason, message). */
  status?: { code?: number; reason?: string; message?: string };
  /** Mutating webhooks: the JSON patch to apply (already decoded). */
  patch?: unknown;
  warnings: string[];
}

/**
 * Reads an AdmissionReview response. Throws an Error (a call failure, subject to failurePolicy) for
 * a body that is not a v1 AdmissionReview, a uid other than the request's, a patch from a
 * validating webhook, or a patchType other than JSONPatch.
 */
export function readReview(body: unknown, uid: string, mutating: boolean): ReviewOutcome {
  const review = body as Loose | null;
  if (!review || typeof review !== 'object' || review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    throw new Error('expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview');
  }
  const res = review.response as Loose | undefined;
  if (!res || typeof res !== 'object') throw new Error('webhook response was absent');
  if (res.uid !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(res.uid)}`);
  const warnings = Array.isArray(res.warnings) ? res.warnings.filter((w: unknown): w is string => typeof w === 'string') : [];
  const out: ReviewOutcome = { allowed: res.allowed === true, warnings };
  if (res.status && typeof res.status === 'object') out.status = res.status as ReviewOutcome['status'];
  if (res.patch !== undefined && res.patch !== null && res.patch !== '') {
    if (!mutating) throw new Error('validating webhook may not return response.patch');
    if (res.patchType !== 'JSONPatch') throw new Error(`unsupported patch type ${JSON.stringify(res.patchType)}`);
    out.patch = JSON.parse(Buffer.from(String(res.patch), 'base64').toString('utf8'));
  }
  return out;
}

/** upstream's webhookerrors.ToStatusErr: the error a denial becomes (code at least 400). */
export function deniedError(webhook: string, status: ReviewOutcome['status'] = {}): ApiError {
  const by = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const why = status.message || status.reason;
  const message = why ? `${by}: ${why}` : `${by} without explanation`;
  const code = status.code && status.code >= 400 ? status.code : 400;
  const reason = (status.reason || (code === 403 ? 'Forbidden' : 'BadRequest')) as ConstructorParameters<typeof ApiError>[0];
  return new ApiError(reason, message, { code });
}

/** A call that failed (unreachable, timed out, bad answer) under failurePolicy Fail: 500 as upstream. */
export function callFailedError(webhook: string, err: string): ApiError {
  return new ApiError('InternalError', `Internal error occurred: failed calling webhook ${JSON.stringify(webhook)}: ${err}`);
}

/** Applies a mutating webhook's patch to the object in place (the store keeps its reference). */
export function applyPatchInPlace(obj: KubeObject, patch: unknown): void {
  const next = applyJsonPatch(obj, patch) as KubeObject;
  for (const k of Object.keys(obj)) delete (obj as Loose)[k];
  Object.assign(obj, next);
}
