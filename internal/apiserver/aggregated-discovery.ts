import { createHash } from 'node:crypto';
import { STANDARD_VERBS, type ResourceDefinition } from '../registry/index.js';
import { definitionsIn, groupVersions, subresourceKind } from './discovery.js';

/**
 * Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1: same schema, different apiVersion).
 * /api serves the core group alone, /apis every other group. Versions are listed in preference
 * order; an empty group/version in responseKind means "the parent's".
 */

interface ResponseKind {
  group: string;
  version: string;
  kind: string;
}

function resourceEntry(def: ResourceDefinition) {
  const subresources = (def.subresources ?? []).map((s) => {
    const k = subresourceKind(def, s);
    return { subresource: s.name, responseKind: { group: k.group ?? '', version: k.version ?? '', kind: k.kind } as ResponseKind, verbs: s.verbs };
  });
  return {
    resource: def.plural,
    responseKind: { group: '', version: '', kind: def.kind } as ResponseKind,
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: def.verbs ?? STANDARD_VERBS,
    ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
    ...(def.categories?.length ? { categories: def.categories } : {}),
    ...(subresources.length ? { subresources } : {}),
  };
}

function groupItem(defs: ResourceDefinition[], group: string, versions: string[]) {
  return {
    metadata: { name: group, creationTimestamp: null },
    versions: versions.map((version) => ({
      version,
      resources: definitionsIn(defs, group, version)
        .map(resourceEntry)
        .sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0)),
      freshness: 'Current',
    })),
  };
}

export function aggregatedDiscoveryDoc(defs: ResourceDefinition[], core: boolean, version: 'v2' | 'v2beta1') {
  const items = [...groupVersions(defs)]
    .filter(([g]) => (g === '') === core)
    .map(([g, vs]) => groupItem(defs, g, vs));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** A strong ETag over the serialized body; kubectl revalidates discovery with If-None-Match. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32).toUpperCase()}"`;
}

/** Whether an If-None-Match header matches the ETag (a list, or "*"). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
