import { ApiError, apiErrors, fieldErrors, parseBool as parseQueryBool, QueryParamError, type FieldError } from '../api/index.js';
import type { DeleteParams, ListParams, PatchParams, WatchParams, WriteParams } from '../registry/index.js';

/** The parsed query string as fastify hands it over. */
export type Query = Record<string, string | string[] | undefined>;

/** First value of a query parameter (Kubernetes reads the first when repeated). */
export function first(q: Query, key: string): string | undefined {
  const v = q[key];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Booleans are parsed case-insensitively (the Python client sends `watch=True`) by internal/api's
 * parser; an empty value counts as absent, anything unparsable is 400.
 */
export function parseBool(value: string | undefined, name: string): boolean | undefined {
  try {
    return parseQueryBool(value, name);
  } catch (err) {
    if (err instanceof QueryParamError) throw apiErrors.badRequest(err.message);
    throw err;
  }
}

function boolParam(q: Query, name: string): boolean | undefined {
  return parseBool(first(q, name), name);
}

function intParam(q: Query, name: string): number | undefined {
  const v = first(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw apiErrors.badRequest(`invalid value for ${name}: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}

export function isWatchRequest(q: Query): boolean {
  return boolParam(q, 'watch') === true;
}

/** 422 for meta.k8s.io options: upstream names the kind "ListOptions.meta.k8s.io" in the message. */
function optionsInvalid(kind: string, errs: FieldError[]): ApiError {
  const e = apiErrors.invalid(kind, '', errs, 'meta.k8s.io');
  return new ApiError('Invalid', e.message.replace(`${kind} ""`, `${kind}.meta.k8s.io ""`), { details: e.details });
}

function listOptionsInvalid(errs: FieldError[]): ApiError {
  return optionsInvalid('ListOptions', errs);
}

export function listParams(q: Query): ListParams {
  const p: ListParams = {};
  const set = <K extends keyof ListParams>(k: K, v: ListParams[K] | undefined) => {
    if (v !== undefined && v !== '') p[k] = v;
  };
  set('labelSelector', first(q, 'labelSelector'));
  set('fieldSelector', first(q, 'fieldSelector'));
  set('resourceVersion', first(q, 'resourceVersion'));
  set('resourceVersionMatch', first(q, 'resourceVersionMatch'));
  set('continue', first(q, 'continue'));
  const limit = intParam(q, 'limit');
  if (limit !== undefined && limit < 0) throw listOptionsInvalid([fieldErrors.invalid('limit', limit, 'must be non-negative')]);
  if (limit) p.limit = limit;
  return p;
}

/** Validates resourceVersionMatch the way ListOptions validation does for lists. */
export function validateListParams(p: ListParams, sendInitialEvents: boolean | undefined): void {
  if (sendInitialEvents !== undefined) {
    throw listOptionsInvalid([fieldErrors.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list')]);
  }
  const m = p.resourceVersionMatch;
  if (m === undefined) return;
  if (m !== 'NotOlderThan' && m !== 'Exact') {
    throw listOptionsInvalid([fieldErrors.notSupported('resourceVersionMatch', m, ['Exact', 'NotOlderThan'])]);
  }
  if (p.resourceVersion === undefined) {
    throw listOptionsInvalid([fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided')]);
  }
  if (m === 'Exact' && p.resourceVersion === '0') {
    throw listOptionsInvalid([fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')]);
  }
  if (p.continue !== undefined) {
    throw listOptionsInvalid([fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided')]);
  }
}

/**
 * Watch parameters. resourceVersionMatch without sendInitialEvents is rejected with 422 before any
 * streaming, which is what makes client-go fall back from watch-list to LIST+WATCH when needed.
 */
export function watchParams(q: Query): WatchParams {
  const p: WatchParams = listParams(q);
  const bookmarks = boolParam(q, 'allowWatchBookmarks');
  if (bookmarks !== undefined) p.allowWatchBookmarks = bookmarks;
  const initial = boolParam(q, 'sendInitialEvents');
  if (initial !== undefined) p.sendInitialEvents = initial;
  const timeout = intParam(q, 'timeoutSeconds');
  if (timeout !== undefined && timeout > 0) p.timeoutSeconds = timeout;
  const errs: FieldError[] = [];
  if (p.resourceVersionMatch !== undefined && initial === undefined) {
    errs.push(fieldErrors.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
  }
  if (initial !== undefined) {
    if (p.resourceVersionMatch !== 'NotOlderThan') {
      errs.push(fieldErrors.forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (initial && !p.allowWatchBookmarks) {
      errs.push(fieldErrors.forbidden('allowWatchBookmarks', 'sendInitialEvents requires setting allowWatchBookmarks to true'));
    }
  }
  if (errs.length) throw listOptionsInvalid(errs);
  return p;
}

function dryRunParam(values: string | string[] | undefined): boolean | undefined {
  if (values === undefined) return undefined;
  const list = Array.isArray(values) ? values : [values];
  for (const v of list) {
    if (v !== 'All' && v !== '') {
      throw apiErrors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
    }
  }
  return list.includes('All');
}

export function writeParams(q: Query): WriteParams {
  const p: WriteParams = {};
  const dry = dryRunParam(q.dryRun);
  if (dry) p.dryRun = true;
  const fm = first(q, 'fieldManager');
  if (fm) p.fieldManager = fm;
  const fv = first(q, 'fieldValidation');
  if (fv !== undefined && fv !== '') {
    if (fv !== 'Ignore' && fv !== 'Warn' && fv !== 'Strict') {
      throw apiErrors.badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(fv)}: supported values: "Ignore", "Warn", "Strict"`);
    }
    p.fieldValidation = fv;
  }
  return p;
}

export function patchParams(q: Query): PatchParams {
  const p: PatchParams = writeParams(q);
  const force = boolParam(q, 'force');
  if (force !== undefined) p.force = force;
  return p;
}

const POLICIES = ['Foreground', 'Background', 'Orphan'] as const;

/**
 * DeleteOptions from the query string merged with an optional body (the body wins, as upstream
 * decodes the body over the query-derived options). `orphanDependents` is the deprecated spelling.
 */
export function deleteParams(q: Query, body: Record<string, unknown> | undefined): DeleteParams {
  const p: DeleteParams = writeParams(q);
  const grace = intParam(q, 'gracePeriodSeconds');
  if (grace !== undefined) p.gracePeriodSeconds = grace;
  setPolicy(p, first(q, 'propagationPolicy'), boolParam(q, 'orphanDependents'));
  if (body) {
    if (typeof body.gracePeriodSeconds === 'number') p.gracePeriodSeconds = body.gracePeriodSeconds;
    setPolicy(p, body.propagationPolicy as string | undefined, body.orphanDependents as boolean | undefined);
    const pre = body.preconditions as { uid?: unknown; resourceVersion?: unknown } | undefined;
    if (pre && typeof pre === 'object') {
      p.preconditions = {
        ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
        ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
      };
    }
    const dry = dryRunParam(body.dryRun as string[] | undefined);
    if (dry) p.dryRun = true;
  }
  return p;
}

function setPolicy(p: DeleteParams, policy: string | undefined | null, orphan: boolean | undefined | null): void {
  if (policy) {
    if (!(POLICIES as readonly string[]).includes(policy)) {
      throw optionsInvalid('DeleteOptions', [fieldErrors.notSupported('propagationPolicy', policy, [...POLICIES])]);
    }
    p.propagationPolicy = policy as DeleteParams['propagationPolicy'];
  } else if (orphan === true) {
    p.propagationPolicy = 'Orphan';
  } else if (orphan === false && !p.propagationPolicy) {
    p.propagationPolicy = 'Background';
  }
}
