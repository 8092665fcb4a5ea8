import { scaledValue } from '../workloads/intstr.js';
import { canonicalJson, templateHash } from '../workloads/hash.js';
import { controllerRefTo } from '../workloads/claim.js';
import {
  DESIRED_REPLICAS, type Deployment, MAX_REPLICAS, REVISION, REVISION_HISTORY, type ReplicaSet, SKIPPED_ANNOTATIONS, TEMPLATE_HASH, specReplicas,
} from './types.js';

export const isRolling = (d: Deployment) => d.spec.strategy?.type !== 'Recreate';

/** maxSurge and maxUnavailable resolved against spec.replicas (upstream's ResolveFenceposts). */
export function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  if (!isRolling(d)) return { surge: 0, unavailable: 0 };
  const replicas = specReplicas(d);
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(ru.maxSurge ?? '25%', replicas, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export const maxSurge = (d: Deployment) => fenceposts(d).surge;
/** Capped at spec.replicas; 0 for Recreate. */
export const maxUnavailable = (d: Deployment) => Math.min(fenceposts(d).unavailable, specReplicas(d));

export function revisionOf(rs: ReplicaSet | undefined): number {
  const v = Number(rs?.metadata.annotations?.[REVISION] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

export const maxRevision = (rss: ReplicaSet[]) => rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);

const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** Oldest first, ties by name (upstream's ReplicaSetsByCreationTimestamp). */
export const byCreation = (a: ReplicaSet, b: ReplicaSet) => created(a) - created(b) || String(a.metadata.name).localeCompare(String(b.metadata.name));

/** A template without its pod-template-hash label, for comparing a ReplicaSet's to a Deployment's. */
function withoutHash(template: unknown): string {
  const t = structuredClone((template ?? {}) as { metadata?: { labels?: Record<string, string> } });
  if (t.metadata?.labels) {
    delete t.metadata.labels[TEMPLATE_HASH];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  if (t.metadata && Object.keys(t.metadata).length === 0) delete t.metadata;
  return canonicalJson(t);
}

/** The oldest ReplicaSet whose template equals the Deployment's, hash label aside (FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  const want = withoutHash(d.spec.template);
  return [...rss].sort(byCreation).find((rs) => withoutHash(rs.spec.template) === want);
}

export const hashOf = (d: Deployment) => templateHash(d.spec.template, d.status?.collisionCount);

/** The new ReplicaSet for the Deployment's current template (not yet created). */
export function newReplicaSet(d: Deployment, replicas: number, revision: number): ReplicaSet {
  const hash = hashOf(d);
  const template = structuredClone(d.spec.template ?? {});
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [TEMPLATE_HASH]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [TEMPLATE_HASH]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [controllerRefTo(d, 'apps/v1', 'Deployment')],
    },
    spec: { replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  setNewAnnotations(d, rs, revision, false);
  rs.metadata.annotations = { ...rs.metadata.annotations, ...replicaAnnotations(d) };
  return rs;
}

/** desired-replicas and max-replicas as a Deployment's scaling stamps them on its ReplicaSets. */
export function replicaAnnotations(d: Deployment): Record<string, string> {
  return { [DESIRED_REPLICAS]: String(specReplicas(d)), [MAX_REPLICAS]: String(specReplicas(d) + maxSurge(d)) };
}

/**
 * Copies the Deployment's annotations (those not skipped) onto the new ReplicaSet and raises its
 * revision to `revision`, moving the old number into revision-history (SetNewReplicaSetAnnotations).
 * Returns whether anything changed.
 */
export function setNewAnnotations(d: Deployment, rs: ReplicaSet, revision: number, exists: boolean): boolean {
  const ann = { ...rs.metadata.annotations };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIPPED_ANNOTATIONS.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const old = ann[REVISION];
  if (!old || Number(old) < revision) {
    ann[REVISION] = String(revision);
    if (old) ann[REVISION_HISTORY] = ann[REVISION_HISTORY] ? `${ann[REVISION_HISTORY]},${old}` : old;
    changed = true;
  }
  if (!exists && !changed) return false;
  rs.metadata.annotations = ann;
  return changed;
}
