import type { ResourceDefinition } from '../definition.js';

/**
 * Storage key scheme (one for all resources, built-in and custom):
 *
 *   /registry/<resource>/<namespace>/<name>           core group ("" group), namespaced
 *   /registry/<resource>/<name>                       core group, cluster-scoped
 *   /registry/<group>/<resource>/<namespace>/<name>   any other group (apps, CRD groups, ...)
 *   /registry/<group>/<resource>/<name>
 *
 * <group> and <resource> are storageGroup/storageResource when the definition shares another's
 * storage (events.k8s.io Events live under /registry/events/). No core resource is named like a
 * group, and every prefix ends in "/", so "/registry/pods/" never covers "/registry/podtemplates/".
 * Versions are not part of the key: all versions of a resource share one storage location.
 */
export function resourcePrefix(def: ResourceDefinition): string {
  const group = def.storageGroup ?? def.group;
  const resource = def.storageResource ?? def.plural;
  return group ? `/registry/${group}/${resource}/` : `/registry/${resource}/`;
}

/** The prefix of a collection: all namespaces (namespace undefined), one namespace, or cluster scope. */
export function collectionPrefix(def: ResourceDefinition, namespace: string | undefined): string {
  const base = resourcePrefix(def);
  return def.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function objectKey(def: ResourceDefinition, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${resourcePrefix(def)}${namespace ?? ''}/${name}` : `${resourcePrefix(def)}${name}`;
}
