import { parseApiVersion, type KubeObject, type OwnerReference } from '../../../internal/api/index.js';
import type { Client } from '../../../internal/client/index.js';
import { tolerate } from '../shared/plugin.js';
import type { ServedResource } from '../shared/resources.js';
import type { OwnerState } from './decide.js';
import { deletingDependents } from './finalizers.js';

/** Kinds to resources, by group and kind (the preferred version of each). */
export function kindIndex(served: ServedResource[]): Map<string, ServedResource> {
  const out = new Map<string, ServedResource>();
  for (const r of served) {
    const k = `${r.group}/${r.kind}`;
    if (!r.resource.includes('/') && !out.has(k)) out.set(k, r);
  }
  return out;
}

/**
 * Looks an owner reference up live (upstream isDangling; the graph may lag): a namespaced owner
 * is looked for in the item's own namespace, which is how a reference across namespaces turns
 * out absent; a cluster-scoped item cannot have a namespaced owner at all.
 */
export async function ownerState(client: Client, kinds: Map<string, ServedResource>, ref: OwnerReference, item: KubeObject): Promise<OwnerState> {
  const r = kinds.get(`${parseApiVersion(ref.apiVersion).group}/${ref.kind}`);
  if (!r) return { state: 'unknown' };
  const namespace = item.metadata.namespace;
  if (r.namespaced && !namespace) return { state: 'invalid' };
  const owner = await tolerate(() => client.get(r, r.namespaced ? namespace : undefined, ref.name), 'NotFound');
  if (!owner || owner.metadata.uid !== ref.uid) return { state: 'absent' };
  return { state: 'present', waitingForDependents: deletingDependents(owner) };
}
