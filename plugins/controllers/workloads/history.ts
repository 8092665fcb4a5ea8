import type { KubeObject } from '../../../internal/api/index.js';
import { controllerOf, controllerRefTo } from './claim.js';
import { canonicalJson, fnv32a, safeEncode } from './hash.js';
import type { PodTemplate } from './template.js';

// ControllerRevisions of StatefulSets and DaemonSets (upstream's controller history): each
// revision holds a patch that restores the owner's pod template, `kubectl rollout undo` applies
// it (a strategic merge patch) and `kubectl rollout history` lists them by revision number.

export interface ControllerRevision extends KubeObject {
  data?: { spec?: { template?: PodTemplate & { $patch?: string } } };
  revision?: number;
}

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const DEFAULT_HISTORY_LIMIT = 10;

/**
 * What a revision stores: `{"spec":{"template":{...,"$patch":"replace"}}}` with keys sorted, as
 * upstream's getPatch encodes it (a Go map marshals sorted; an unset creationTimestamp is null).
 * kubectl compares these bytes with the owner's current template to skip a no-op undo.
 */
export function revisionData(template: PodTemplate | undefined): ControllerRevision['data'] {
  const t = structuredClone(template ?? {}) as PodTemplate & { $patch?: string };
  t.metadata = { creationTimestamp: null, ...(t.metadata ?? {}) };
  t.$patch = 'replace';
  return JSON.parse(canonicalJson({ spec: { template: t } }));
}

/** The pod template a revision restores. */
export function templateOf(cr: ControllerRevision): PodTemplate {
  const { $patch: _, ...t } = structuredClone(cr.data?.spec?.template ?? {});
  return t;
}

/** FNV-32a of the revision's data (and collision count), safely encoded (upstream's HashControllerRevision). */
export function revisionHash(data: ControllerRevision['data'], collisionCount = 0): string {
  return safeEncode(fnv32a(canonicalJson(data) + (collisionCount ? String(collisionCount) : '')));
}

export interface Owner extends KubeObject {
  spec: { template?: PodTemplate; revisionHistoryLimit?: number };
}

/** Revision `revision` of `owner`'s current template: `<owner>-<hash>`, template labels + hash label, owner's annotations. */
export function newRevision(owner: Owner, kind: string, revision: number, collisionCount = 0): ControllerRevision {
  const data = revisionData(owner.spec.template);
  const hash = revisionHash(data, collisionCount);
  const annotations = owner.metadata.annotations;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${(owner.metadata.name ?? '').slice(0, 223)}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...owner.spec.template?.metadata?.labels, [REVISION_HASH_LABEL]: hash },
      ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
      ownerReferences: [controllerRefTo(owner, 'apps/v1', kind)],
    },
    data,
    revision,
  };
}

/** `owner`'s revisions among `all` (by controller reference), oldest revision first. */
export function ownedRevisions(owner: KubeObject, all: ControllerRevision[]): ControllerRevision[] {
  return all.filter((cr) => controllerOf(cr)?.uid === owner.metadata.uid).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
}

export const sameData = (a: ControllerRevision, b: ControllerRevision) => canonicalJson(a.data) === canonicalJson(b.data);

export interface RevisionStep {
  /** The revision of the owner's current template. */
  update: ControllerRevision;
  /** Create `update` (no revision holds this template yet). */
  create: boolean;
  /** Renumber `update` (an older revision holds this template: it becomes the newest again). */
  renumber: boolean;
}

/**
 * Where the owner's current template lives in its history (upstream's getStatefulSetRevisions
 * and constructHistory): the newest revision if it already holds the template; an older one that
 * holds it is renumbered to max+1 (so an undo shows as a new revision); otherwise a new revision
 * max+1 is created.
 */
export function planRevision(owner: Owner, kind: string, revisions: ControllerRevision[], collisionCount = 0): RevisionStep {
  const max = revisions.reduce((m, cr) => Math.max(m, cr.revision ?? 0), 0);
  const wanted = newRevision(owner, kind, max + 1, collisionCount);
  const equal = revisions.filter((cr) => sameData(cr, wanted));
  const newest = equal.at(-1);
  if (!newest) return { update: wanted, create: true, renumber: false };
  if ((newest.revision ?? 0) === max) return { update: newest, create: false, renumber: false };
  return { update: { ...newest, revision: max + 1 }, create: false, renumber: true };
}

/**
 * Revisions to delete beyond `limit` (revisionHistoryLimit, default 10): the oldest ones no live
 * pod or status still names (`live`: revision names).
 */
export function revisionsToDelete(revisions: ControllerRevision[], live: Set<string>, limit = DEFAULT_HISTORY_LIMIT): ControllerRevision[] {
  const dead = revisions.filter((cr) => !live.has(cr.metadata.name ?? ''));
  return dead.slice(0, Math.max(0, dead.length - limit));
}
