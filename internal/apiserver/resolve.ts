import { ApiError, apiErrors } from '../api/index.js';
import { STANDARD_VERBS, type ResourceCatalog, type ResourceDefinition, type Verb } from '../registry/index.js';
import type { ResourcePath } from './path.js';

/** A resource request after the catalog and HTTP method were consulted. */
export interface ResolvedRequest {
  def: ResourceDefinition;
  verb: Verb;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export const resourceNotFound = () => new ApiError('NotFound', 'the server could not find the requested resource', { details: {} });

const SUBRESOURCE_VERB: Record<string, Verb> = { GET: 'get', PUT: 'update', PATCH: 'patch', POST: 'create', DELETE: 'delete' };
const ITEM_VERB: Record<string, Verb> = { GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/**
 * Maps (method, path, watch flag) to a verb, after Kubernetes' routing: unknown resources and
 * subresources are 404, methods a resource does not serve are 405. A namespaced resource's
 * all-namespaces collection serves only list and watch; its items need a namespace.
 */
export function resolveResource(catalog: ResourceCatalog, method: string, p: ResourcePath, watch: boolean): ResolvedRequest {
  const def = catalog.lookup(p.group, p.version, p.resource);
  if (!def) throw resourceNotFound();
  if (p.namespace !== undefined && !def.namespaced) throw resourceNotFound();
  const verbs = def.verbs ?? STANDARD_VERBS;
  const base = { def, ...(def.namespaced && p.namespace !== undefined ? { namespace: p.namespace } : {}) };

  if (p.name === undefined) {
    let verb: Verb | undefined;
    if (method === 'GET' || method === 'HEAD') verb = watch || p.legacyWatch ? 'watch' : 'list';
    else if (p.namespace !== undefined || !def.namespaced) verb = method === 'POST' ? 'create' : method === 'DELETE' ? 'deletecollection' : undefined;
    if (!verb || !verbs.includes(verb)) throw apiErrors.methodNotAllowed();
    return { ...base, verb };
  }

  if (def.namespaced && p.namespace === undefined) throw resourceNotFound();
  if (p.subresource !== undefined) {
    const sub = def.subresources?.find((s) => s.name === p.subresource);
    if (!sub) throw resourceNotFound();
    const verb = SUBRESOURCE_VERB[method === 'HEAD' ? 'GET' : method];
    if (!verb || !sub.verbs.includes(verb)) throw apiErrors.methodNotAllowed();
    return { ...base, verb, name: p.name, subresource: sub.name };
  }
  let verb = ITEM_VERB[method];
  if (verb === 'get' && (watch || p.legacyWatch)) verb = 'watch';
  if (!verb || !verbs.includes(verb)) throw apiErrors.methodNotAllowed();
  return { ...base, verb, name: p.name };
}

/** Whether `/namespaces/<n>/<segment>` addresses the Namespace's own subresource (status, finalize). */
export function namespaceSubresourceOf(catalog: ResourceCatalog) {
  return (group: string, version: string, segment: string): boolean => {
    if (group !== '') return false;
    const ns = catalog.lookup(group, version, 'namespaces');
    return ns?.subresources?.some((s) => s.name === segment) ?? false;
  };
}
