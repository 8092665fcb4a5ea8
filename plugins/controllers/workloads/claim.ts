import { type KubeObject, type LabelQuery, type OwnerReference } from '../../../internal/api/index.js';
import { OWNER_UID_INDEX, byOwnerUid, type IndexFunc, type Lister } from '../../../internal/client/index.js';

/** The owner a controller writes into what it creates: controller=true, blockOwnerDeletion=true. */
export function controllerRefTo(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** What a controller does with the objects in its namespace (upstream's ClaimObjects). */
export interface Claim<T extends KubeObject> {
  /** Objects it controls and still selects (including those it adopts now). */
  owned: T[];
  /** Orphans it selects: adopt them (add its controller ref) unless it is being deleted. */
  adopt: T[];
  /** Objects it controls but no longer selects: drop its owner reference. */
  release: T[];
}

/**
 * Sorts `candidates` for `owner`: objects another controller owns are left alone; orphans the
 * selector matches are adopted (not while the owner is being deleted, and never objects being
 * deleted); owned objects the selector no longer matches are released.
 */
export function claim<T extends KubeObject>(owner: KubeObject, selector: LabelQuery, candidates: T[]): Claim<T> {
  const out: Claim<T> = { owned: [], adopt: [], release: [] };
  const uid = owner.metadata.uid;
  for (const obj of candidates) {
    const ref = controllerOf(obj);
    const matches = selector.matches(obj.metadata.labels ?? {});
    if (ref) {
      if (ref.uid !== uid) continue;
      if (matches) out.owned.push(obj);
      else if (!obj.metadata.deletionTimestamp) out.release.push(obj);
      continue;
    }
    if (!matches || obj.metadata.deletionTimestamp || owner.metadata.deletionTimestamp) continue;
    out.adopt.push(obj);
    out.owned.push(obj);
  }
  return out;
}

/**
 * JSON merge patches that adopt or release `obj`: the whole ownerReferences list, with the
 * object's uid and resourceVersion as preconditions, so a concurrent change or a recreated
 * namesake makes the patch fail (409) instead of clobbering another owner.
 */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): unknown {
  const refs = [...(obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid), ref];
  return { metadata: { ownerReferences: refs, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion } };
}

export function releasePatch(obj: KubeObject, ownerUid: string): unknown {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  return { metadata: { ownerReferences: refs.length ? refs : null, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion } };
}

/** Index of objects without a controller reference, by namespace: the ones an owner may adopt. */
export const ORPHAN_INDEX = 'orphanNamespace';
export const byOrphanNamespace: IndexFunc = (obj) => (controllerOf(obj) ? [] : [obj.metadata.namespace ?? '']);

/**
 * The objects claim() does not skip for `owner`: those referring to it and its namespace's orphans.
 * Upstream lists the whole namespace per sync; with 100,000 pods in one namespace that list and its
 * selector matching were most of a replica controller's time, and every pod change syncs its owner.
 * `lister` must have OWNER_UID_INDEX and ORPHAN_INDEX.
 */
export function claimCandidates(lister: Lister, owner: KubeObject): KubeObject[] {
  const mine = lister.byIndex(OWNER_UID_INDEX, owner.metadata.uid ?? '');
  const orphans = lister.byIndex(ORPHAN_INDEX, owner.metadata.namespace ?? '');
  if (orphans.length === 0) return mine;
  const seen = new Set(mine);
  return [...mine, ...orphans.filter((o) => !seen.has(o))];
}

/** Gives `informer` the indexes claimCandidates reads; returns owner → its claim candidates. */
export function candidatesFrom(informer: { lister: Lister; addIndexer(name: string, fn: IndexFunc): void }): (owner: KubeObject) => KubeObject[] {
  informer.addIndexer(OWNER_UID_INDEX, byOwnerUid);
  informer.addIndexer(ORPHAN_INDEX, byOrphanNamespace);
  return (owner) => claimCandidates(informer.lister, owner);
}
