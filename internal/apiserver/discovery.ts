import { compareVersions } from '../api/index.js';
import { STANDARD_VERBS, type ResourceDefinition, type SubresourceDefinition } from '../registry/index.js';

/**
 * Legacy discovery documents (/api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v>), built from the
 * catalog's definitions. Pure: the same definitions always give the same documents.
 */

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface ApiGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion: GroupVersionForDiscovery;
}

export interface ApiResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** Groups in catalog order (first appearance), each with its versions in preference order. */
export function groupVersions(defs: ResourceDefinition[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of defs) {
    const vs = out.get(d.group) ?? [];
    if (!vs.includes(d.version)) vs.push(d.version);
    out.set(d.group, vs);
  }
  for (const vs of out.values()) vs.sort(compareVersions);
  return out;
}

function gvFor(group: string, version: string): GroupVersionForDiscovery {
  return { groupVersion: group ? `${group}/${version}` : version, version };
}

export function apiVersionsDoc(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]): ApiGroup {
  return { name: group, versions: versions.map((v) => gvFor(group, v)), preferredVersion: gvFor(group, versions[0]!) };
}

export function apiGroupListDoc(defs: ResourceDefinition[]) {
  const groups = [...groupVersions(defs)].filter(([g]) => g !== '').map(([g, vs]) => apiGroup(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroupDoc(defs: ResourceDefinition[], group: string) {
  const vs = groupVersions(defs).get(group);
  if (!group || !vs) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, vs) };
}

/** The kind a subresource returns, with group/version only when they differ from the parent's. */
export function subresourceKind(def: ResourceDefinition, sub: SubresourceDefinition): { group?: string; version?: string; kind: string } {
  const k = sub.kind;
  if (!k) return { kind: def.kind };
  if (k.group === def.group && k.version === def.version) return { kind: k.kind };
  return { group: k.group, version: k.version, kind: k.kind };
}

function resourceEntries(def: ResourceDefinition): ApiResource[] {
  const main: ApiResource = {
    name: def.plural,
    singularName: def.singular,
    namespaced: def.namespaced,
    kind: def.kind,
    verbs: def.verbs ?? STANDARD_VERBS,
    ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
    ...(def.categories?.length ? { categories: def.categories } : {}),
  };
  const subs = (def.subresources ?? []).map((s) => ({
    name: `${def.plural}/${s.name}`,
    singularName: '',
    namespaced: def.namespaced,
    ...subresourceKind(def, s),
    verbs: s.verbs,
  }));
  return [main, ...subs];
}

export function definitionsIn(defs: ResourceDefinition[], group: string, version: string): ResourceDefinition[] {
  return defs.filter((d) => d.group === group && d.version === version);
}

export function apiResourceListDoc(defs: ResourceDefinition[], group: string, version: string) {
  const inGv = definitionsIn(defs, group, version);
  if (inGv.length === 0) return undefined;
  const resources = inGv.flatMap(resourceEntries).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    kind: 'APIResourceList',
    ...(group ? { apiVersion: 'v1' } : {}),
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}
