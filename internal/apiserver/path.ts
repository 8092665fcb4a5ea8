/**
 * The small URL parser behind the catch-all API route. Resource routes are not registered with
 * fastify one by one: CRDs appear and disappear at run time, and fastify cannot remove routes.
 * This parser only splits the path; the catalog decides whether the resource exists.
 */

/** What an API path names, before the catalog is consulted. */
export type ApiPath =
  | { kind: 'root'; core: boolean } // /api or /apis
  | { kind: 'group'; group: string } // /apis/<g>
  | { kind: 'groupVersion'; group: string; version: string } // /api/v1, /apis/<g>/<v>
  | ({ kind: 'resource' } & ResourcePath);

export interface ResourcePath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Segments after the subresource (proxy paths); kept for completeness, unused by verbs. */
  rest?: string[];
  /** The legacy /api/v1/watch/... form was used. */
  legacyWatch: boolean;
}

/**
 * Splits a URL path (no query string). Returns undefined for paths outside /api and /apis, or
 * malformed ones (empty segments in the middle).
 *
 * `isNamespaceSubresource(gv, segment)` answers whether `/namespaces/<n>/<segment>` names a
 * subresource of the Namespace itself (status, finalize) rather than a resource inside it,
 * as Kubernetes' request-info parser does.
 */
export function parseApiPath(
  path: string,
  isNamespaceSubresource: (group: string, version: string, segment: string) => boolean = defaultNamespaceSub,
): ApiPath | undefined {
  const segs = splitPath(path);
  if (!segs) return undefined;
  const [prefix, ...rest] = segs;
  if (prefix === 'api') {
    if (rest.length === 0) return { kind: 'root', core: true };
    const [version, ...parts] = rest;
    if (parts.length === 0) return { kind: 'groupVersion', group: '', version: version! };
    return resourcePath('', version!, parts, isNamespaceSubresource);
  }
  if (prefix === 'apis') {
    if (rest.length === 0) return { kind: 'root', core: false };
    const [group, version, ...parts] = rest;
    if (version === undefined) return { kind: 'group', group: group! };
    if (parts.length === 0) return { kind: 'groupVersion', group: group!, version };
    return resourcePath(group!, version, parts, isNamespaceSubresource);
  }
  return undefined;
}

function splitPath(path: string): string[] | undefined {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--; // trailing '/'
  if (end === 0 || path.charCodeAt(0) !== 47) return undefined;
  const segs = path.slice(1, end).split('/');
  if (segs.includes('')) return undefined;
  // Most paths escape nothing: decode only when some segment has a '%'.
  if (!path.includes('%')) return segs;
  try {
    return segs.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

function defaultNamespaceSub(_g: string, _v: string, segment: string): boolean {
  return segment === 'status' || segment === 'finalize';
}

function resourcePath(
  group: string,
  version: string,
  input: string[],
  isNamespaceSubresource: (group: string, version: string, segment: string) => boolean,
): ApiPath | undefined {
  let parts = input;
  let legacyWatch = false;
  if (parts[0] === 'watch' && parts.length > 1) {
    legacyWatch = true;
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/<ns>/<resource>/... names a namespaced resource; /namespaces/<name>[/status|finalize]
  // names the Namespace object itself.
  if (parts[0] === 'namespaces' && parts.length > 2 && !isNamespaceSubresource(group, version, parts[2]!)) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const [resource, name, subresource, ...rest] = parts;
  return {
    kind: 'resource',
    group,
    version,
    resource: resource!,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
    ...(rest.length ? { rest } : {}),
    legacyWatch,
  };
}
