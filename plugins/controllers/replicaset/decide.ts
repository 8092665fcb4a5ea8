import type { KubeObject, LabelQuery } from '../../../internal/api/index.js';
import { claim } from '../workloads/claim.js';
import type { Condition } from '../workloads/conditions.js';
import { type Pod, isPodActive, isPodAvailable, isPodReady, nextAvailableIn, podsToDelete } from '../workloads/pods.js';

/** Upstream's burstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;

/** What a ReplicaSet (or ReplicationController) controller reads from its object. */
export interface ReplicaTarget {
  owner: KubeObject;
  selector: LabelQuery;
  replicas: number;
  minReadySeconds: number;
  templateLabels: Record<string, string>;
  /** status.conditions as stored (ReplicaFailure is kept). */
  conditions?: Condition[];
}

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
  conditions?: Condition[];
}

export interface ReplicaPlan {
  adopt: Pod[];
  release: Pod[];
  /** How many pods to create from the template. */
  create: number;
  delete: Pod[];
  status: ReplicaStatus;
  /** Sync again after this many ms (a ready pod becomes available then). */
  requeueAfterMs?: number;
}

/**
 * One sync of a replica controller over the pods of its namespace (upstream's syncReplicaSet):
 * claim pods by selector, create or delete the difference to spec.replicas (at most
 * BURST_REPLICAS), deleting in upstream's order, and the status of what it owns now.
 * `manage` false (expectations pending, or the owner is being deleted) computes status only.
 * `pods` need only hold the candidates claim() does not skip (see claimCandidates); `related`
 * gives the pods whose placement ranks deletions (default: `pods`), read only when deleting.
 */
export function planReplicas(t: ReplicaTarget, pods: Pod[], now: number, manage: boolean, related: () => Pod[] = () => pods): ReplicaPlan {
  const deleting = !!t.owner.metadata.deletionTimestamp;
  const claimed = claim(t.owner, t.selector, pods);
  const active = claimed.owned.filter(isPodActive);
  let create = 0;
  let del: Pod[] = [];
  if (manage && !deleting) {
    const diff = active.length - t.replicas;
    if (diff < 0) create = Math.min(-diff, BURST_REPLICAS);
    else if (diff > 0) del = podsToDelete(active, related(), Math.min(diff, BURST_REPLICAS));
  }
  const status = replicaStatus(t, active, now);
  const wait = nextAvailableIn(active, t.minReadySeconds, now);
  return { adopt: deleting ? [] : claimed.adopt, release: claimed.release, create, delete: del, status, ...(wait !== undefined ? { requeueAfterMs: wait } : {}) };
}

function replicaStatus(t: ReplicaTarget, active: Pod[], now: number): ReplicaStatus {
  // One pass: a sync runs on every change of any of the owner's pods, each visiting all of them.
  const labels = Object.entries(t.templateLabels);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of active) {
    const own = p.metadata.labels;
    if (labels.every(([k, v]) => own?.[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, t.minReadySeconds, now)) available++;
    }
  }
  return {
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: t.owner.metadata.generation ?? 0,
    ...(t.conditions?.length ? { conditions: t.conditions } : {}),
  };
}
