import type { KubeObject, OwnerReference } from '../../../internal/api/index.js';
import { FOREGROUND, ORPHAN, hasFinalizer } from './finalizers.js';

/**
 * What a live lookup found for one owner reference of an item:
 * - absent: no object of that kind and name where the item can have its owner (its own namespace
 *   for a namespaced kind, cluster scope otherwise), or one with another uid;
 * - present: the owner, and whether it is being deleted in the foreground;
 * - invalid: a cluster-scoped item naming a namespaced kind, which can never resolve (upstream
 *   leaves such items alone and reports OwnerRefInvalidNamespace);
 * - unknown: the kind is not served (yet): decide later.
 */
export type OwnerState = { state: 'absent' } | { state: 'present'; waitingForDependents: boolean } | { state: 'invalid' } | { state: 'unknown' };

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export type GcAction =
  | { action: 'none'; invalid?: OwnerReference[] }
  | { action: 'retry' }
  | { action: 'remove-owner-refs'; uids: string[] }
  | { action: 'delete'; policy: Propagation; unblockOwnerRefs: boolean };

/**
 * The decision for one item with owner references (upstream attemptToDeleteItem), given the
 * state of each owner and whether any of the item's own dependents is deleting its dependents:
 * - an item with at least one solid owner stays; references to absent owners and to owners
 *   deleting their dependents are removed from it;
 * - an item whose remaining owners all wait for their dependents, and which has dependents
 *   itself, is deleted in the foreground too (its owner references unblocked first when one of
 *   its dependents is also deleting in the foreground, which breaks a cycle);
 * - otherwise it is garbage: deleted with the policy its finalizers ask for, else Background.
 */
export function decide(item: KubeObject, owners: Map<string, OwnerState>, hasDependents: boolean, dependentDeletingDependents: boolean): GcAction {
  const refs = item.metadata.ownerReferences ?? [];
  if (refs.length === 0) return { action: 'none' };
  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  const invalid: OwnerReference[] = [];
  for (const ref of refs) {
    const s = owners.get(ref.uid) ?? { state: 'unknown' };
    if (s.state === 'unknown') return { action: 'retry' };
    if (s.state === 'invalid') invalid.push(ref);
    else if (s.state === 'absent') dangling.push(ref);
    else if (s.waitingForDependents) waiting.push(ref);
    else solid.push(ref);
  }
  if (invalid.length > 0) return { action: 'none', invalid };
  if (solid.length > 0) {
    if (dangling.length + waiting.length === 0) return { action: 'none' };
    return { action: 'remove-owner-refs', uids: [...dangling, ...waiting].map((r) => r.uid) };
  }
  if (waiting.length > 0 && hasDependents) return { action: 'delete', policy: 'Foreground', unblockOwnerRefs: dependentDeletingDependents };
  const policy: Propagation = hasFinalizer(item, ORPHAN) ? 'Orphan' : hasFinalizer(item, FOREGROUND) ? 'Foreground' : 'Background';
  return { action: 'delete', policy, unblockOwnerRefs: false };
}

/** A JSON merge patch that drops the owner references with these uids (optimistic on resourceVersion). */
export function removeOwnerRefsPatch(item: KubeObject, uids: string[]): Record<string, unknown> {
  const kept = (item.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
  return { metadata: { resourceVersion: item.metadata.resourceVersion, ownerReferences: kept.length ? kept : null } };
}

/** A JSON merge patch that sets blockOwnerDeletion false on every owner reference that has it. */
export function unblockOwnerRefsPatch(item: KubeObject): Record<string, unknown> | undefined {
  const refs = item.metadata.ownerReferences ?? [];
  if (!refs.some((r) => r.blockOwnerDeletion)) return undefined;
  const ownerReferences = refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
  return { metadata: { resourceVersion: item.metadata.resourceVersion, ownerReferences } };
}

/** A JSON merge patch that removes one finalizer. */
export function removeFinalizerPatch(item: KubeObject, finalizer: string): Record<string, unknown> {
  const kept = (item.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return { metadata: { resourceVersion: item.metadata.resourceVersion, finalizers: kept.length ? kept : null } };
}

/** The message of upstream's OwnerRefInvalidNamespace event. */
export function invalidOwnerMessage(ref: OwnerReference, namespace: string | undefined): string {
  return `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: ${namespace ?? ''}, name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace "${namespace ?? ''}"`;
}
