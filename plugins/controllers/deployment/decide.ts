import { labelSelectorAsQuery } from '../../../internal/api/index.js';
import { claim } from '../workloads/claim.js';
import { findCondition, setCondition } from '../workloads/conditions.js';
import type { Pod } from '../workloads/pods.js';
import { active, isScalingEvent, newRSReplicas, reconcileNewRS, reconcileOldRSs, scale, scaleTo } from './rollout.js';
import { PROGRESSING, calculateStatus, isComplete, pausedCondition, progress } from './status.js';
import { type Deployment, type DeploymentStatus, REVISION, type ReplicaSet, specReplicas } from './types.js';
import { findNewReplicaSet, maxRevision, newReplicaSet, revisionOf, setNewAnnotations } from './util.js';
import { jsonEqual } from '../../../internal/util/index.js';

/** What one sync of a Deployment writes. */
export interface DeploymentPlan {
  adopt: ReplicaSet[];
  release: ReplicaSet[];
  /** The new ReplicaSet to create (the sync stops there; the next one goes on). */
  create?: ReplicaSet;
  /** ReplicaSets with a new size, annotations or minReadySeconds (full objects to update). */
  update: ReplicaSet[];
  /** Old ReplicaSets beyond revisionHistoryLimit. */
  delete: ReplicaSet[];
  /** The Deployment's deployment.kubernetes.io/revision when it must change. */
  revision?: string;
  status: DeploymentStatus;
  requeueAfterMs?: number;
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * One sync of a Deployment (upstream's syncDeployment) over the ReplicaSets of its namespace and
 * the pods of the ones it owns (Recreate waits for old pods to be gone): pure, time injected.
 */
export function planDeployment(deployment: Deployment, candidates: ReplicaSet[], pods: Pod[], now: number): DeploymentPlan {
  const nowIso = isoSeconds(now);
  const d = structuredClone(deployment);
  const claimed = claim(d, labelSelectorAsQuery(d.spec.selector), candidates);
  const rss = claimed.owned.map((rs) => structuredClone(rs));
  const plan: DeploymentPlan = { adopt: claimed.adopt, release: claimed.release, update: [], delete: [], status: {} };
  const originals = new Map(rss.map((rs, i) => [rs, claimed.owned[i]!]));
  const finish = (status: DeploymentStatus, requeueAfterMs?: number): DeploymentPlan => {
    for (const rs of rss) if (!jsonEqual(rs, originals.get(rs))) plan.update.push(rs);
    plan.status = status;
    if (requeueAfterMs !== undefined) plan.requeueAfterMs = requeueAfterMs;
    return plan;
  };

  let newRS = findNewReplicaSet(d, rss);
  const olds = rss.filter((rs) => rs !== newRS);
  if (d.metadata.deletionTimestamp) return finish(calculateStatus(d, rss, newRS, nowIso));

  const paused = pausedCondition(d, nowIso);
  if (paused) d.status = { ...d.status, conditions: paused };
  if (newRS) {
    const changedAnnotations = setNewAnnotations(d, newRS, maxRevision(olds) + 1, true);
    if (changedAnnotations || (newRS.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) newRS.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
    setRevision(d, plan, String(revisionOf(newRS)));
    if (!findCondition(d.status?.conditions, PROGRESSING) && d.spec.progressDeadlineSeconds !== undefined) {
      const found = { type: PROGRESSING, status: 'True' as const, reason: 'FoundNewReplicaSet', message: `Found new replica set "${newRS.metadata.name}"`, lastUpdateTime: nowIso };
      d.status = { ...d.status, conditions: setCondition(d.status?.conditions, found, nowIso) };
    }
  }

  if (d.spec.paused || isScalingEvent(d, rss)) {
    scale(d, newRS, olds);
    if (d.spec.paused) plan.delete = cleanup(d, olds);
    return finish(calculateStatus(d, rss, newRS, nowIso));
  }

  const stepDone = (): DeploymentPlan => {
    const p = progress(d, calculateStatus(d, rss, newRS, nowIso), newRS, now);
    return finish(p.status, p.requeueAfterMs);
  };
  const create = (replicas: number): DeploymentPlan => {
    const revision = maxRevision(olds) + 1;
    plan.create = newReplicaSet(d, replicas, revision);
    setRevision(d, plan, String(revision));
    const created = { type: PROGRESSING, status: 'True' as const, reason: 'NewReplicaSetCreated', message: `Created new replica set "${plan.create.metadata.name}"`, lastUpdateTime: nowIso };
    const status = calculateStatus(d, rss, undefined, nowIso);
    if (d.spec.progressDeadlineSeconds !== undefined) status.conditions = setCondition(status.conditions, created, nowIso);
    return finish(status);
  };

  if (d.spec.strategy?.type === 'Recreate') {
    const oldActive = active(olds);
    if (oldActive.length > 0) {
      for (const rs of oldActive) scaleTo(d, rs, 0);
      return stepDone();
    }
    if (oldPodsRunning(olds, pods)) return stepDone();
    if (!newRS) return create(specReplicas(d));
    if (specReplicas(newRS) !== specReplicas(d)) scaleTo(d, newRS, specReplicas(d));
  } else {
    if (!newRS) return create(newRSReplicas(d, olds, undefined));
    if (reconcileNewRS(d, rss, newRS) || reconcileOldRSs(d, rss, olds, newRS)) return stepDone();
  }
  if (isComplete(d, d.status ?? {})) plan.delete = cleanup(d, olds);
  return stepDone();
}

function setRevision(d: Deployment, plan: DeploymentPlan, revision: string): void {
  if (d.metadata.annotations?.[REVISION] === revision) return;
  d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: revision };
  plan.revision = revision;
}

/** Old ReplicaSets still have pods that are not terminal (Recreate's wait). */
function oldPodsRunning(olds: ReplicaSet[], pods: Pod[]): boolean {
  if (olds.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
  const uids = new Set(olds.map((rs) => rs.metadata.uid));
  return pods.some((p) => {
    const owner = p.metadata.ownerReferences?.find((r) => r.controller);
    return owner && uids.has(owner.uid) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded';
  });
}

/** The oldest empty old ReplicaSets beyond revisionHistoryLimit (cleanupDeployment). */
function cleanup(d: Deployment, olds: ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined) return [];
  const alive = olds.filter((rs) => !rs.metadata.deletionTimestamp).sort((a, b) => revisionOf(a) - revisionOf(b));
  const diff = alive.length - limit;
  if (diff <= 0) return [];
  return alive.slice(0, diff).filter((rs) => (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
