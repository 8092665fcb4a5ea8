import { type Condition, findCondition, setCondition } from '../workloads/conditions.js';
import { type Deployment, type DeploymentStatus, type ReplicaSet, specReplicas } from './types.js';
import { maxUnavailable } from './util.js';

const sum = (rss: ReplicaSet[], f: (rs: ReplicaSet) => number) => rss.reduce((n, rs) => n + f(rs), 0);

export const PROGRESSING = 'Progressing';
export const AVAILABLE = 'Available';

/** The counters and the Available condition from the ReplicaSets (upstream's calculateStatus). */
export function calculateStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, nowIso: string): DeploymentStatus {
  const availableReplicas = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas,
    unavailableReplicas: Math.max(0, sum(all, specReplicas) - availableReplicas),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
  };
  const ok = availableReplicas >= specReplicas(d) - maxUnavailable(d);
  const cond: Condition = ok
    ? { type: AVAILABLE, status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: AVAILABLE, status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
  status.conditions = setCondition(d.status?.conditions, { ...cond, lastUpdateTime: nowIso }, nowIso);
  return status;
}

/** All replicas updated, present and available for the current generation (DeploymentComplete). */
export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = specReplicas(d);
  return s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Progress since the stored status: more updated, ready or available replicas, or fewer old ones. */
function isProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

const hasDeadline = (d: Deployment) => d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

/**
 * The Progressing condition after a rollout step (upstream's syncRolloutStatus), and when to look
 * again for the deadline. `rsName` names the new ReplicaSet in the messages.
 */
export function progress(d: Deployment, s: DeploymentStatus, newRS: ReplicaSet | undefined, now: number): { status: DeploymentStatus; requeueAfterMs?: number } {
  const nowIso = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!hasDeadline(d)) return { status: { ...s, conditions: (s.conditions ?? []).filter((c) => c.type !== PROGRESSING) } };
  const cur = findCondition(s.conditions, PROGRESSING);
  const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  const done = s.replicas === s.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable';
  let conditions = s.conditions ?? [];
  if (!done) {
    if (isComplete(d, s)) {
      conditions = setCondition(conditions, { type: PROGRESSING, status: 'True', reason: 'NewReplicaSetAvailable', message: `${what} has successfully progressed.`, lastUpdateTime: nowIso }, nowIso);
    } else if (isProgressing(d, s)) {
      // Progress refreshes lastUpdateTime even when the reason stays ReplicaSetUpdated.
      const keep = cur?.status === 'True' ? cur.lastTransitionTime : nowIso;
      conditions = [
        ...conditions.filter((c) => c.type !== PROGRESSING),
        { type: PROGRESSING, status: 'True', reason: 'ReplicaSetUpdated', message: `${what} is progressing.`, lastUpdateTime: nowIso, lastTransitionTime: keep ?? nowIso },
      ];
    } else if (timedOut(d, cur, now)) {
      conditions = setCondition(conditions, { type: PROGRESSING, status: 'False', reason: 'ProgressDeadlineExceeded', message: `${what} has timed out progressing.`, lastUpdateTime: nowIso }, nowIso);
    }
  }
  const status = { ...s, conditions };
  const after = requeueForDeadline(d, status, now);
  return after === undefined ? { status } : { status, requeueAfterMs: after };
}

function timedOut(d: Deployment, cur: Condition | undefined, now: number): boolean {
  if (!cur || cur.reason === 'NewReplicaSetAvailable') return false;
  if (cur.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(cur.lastUpdateTime ?? '');
  return Number.isFinite(from) && now > from + (d.spec.progressDeadlineSeconds ?? 0) * 1000;
}

function requeueForDeadline(d: Deployment, s: DeploymentStatus, now: number): number | undefined {
  const cur = findCondition(s.conditions, PROGRESSING);
  if (!cur || cur.reason === 'ProgressDeadlineExceeded' || cur.reason === 'NewReplicaSetAvailable' || isComplete(d, s)) return undefined;
  const from = Date.parse(cur.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return undefined;
  return Math.max(1000, from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - now + 1000);
}

/** Progressing Unknown while paused (DeploymentPaused) and once on resume (DeploymentResumed). */
export function pausedCondition(d: Deployment, nowIso: string): Condition[] | undefined {
  const cur = findCondition(d.status?.conditions, PROGRESSING);
  if (!hasDeadline(d)) return undefined;
  if (d.spec.paused && cur?.reason !== 'DeploymentPaused') {
    return setCondition(d.status?.conditions, { type: PROGRESSING, status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused', lastUpdateTime: nowIso }, nowIso);
  }
  if (!d.spec.paused && cur?.reason === 'DeploymentPaused') {
    return setCondition(d.status?.conditions, { type: PROGRESSING, status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed', lastUpdateTime: nowIso }, nowIso);
  }
  return undefined;
}
