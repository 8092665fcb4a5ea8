import { type KubeObject, type LabelSelector, labelSelectorAsQuery } from '../../../internal/api/index.js';
import { claim, controllerRefTo } from '../workloads/claim.js';
import { type Pod, isPodAvailable, isPodReady, nextAvailableIn } from '../workloads/pods.js';
import { type PodTemplate, podFromTemplate } from '../workloads/template.js';

export interface StatefulSet extends KubeObject {
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplate;
    serviceName?: string;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    ordinals?: { start?: number };
    volumeClaimTemplates?: { metadata?: { name?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> }[];
  };
  status?: Record<string, unknown> & { currentRevision?: string; updateRevision?: string; currentReplicas?: number; collisionCount?: number };
}

/** A revision of the set's pod template: its ControllerRevision's name (the pods' label) and template. */
export interface Revision {
  name: string;
  template: PodTemplate | undefined;
}

/** The revisions a sync works with: the current one (status.currentRevision) and the set's template now. */
export interface Revisions {
  current: Revision;
  update: Revision;
}

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export interface StatefulPlan {
  adopt: Pod[];
  release: Pod[];
  /** PVCs to create (claims of pods about to be created), before the pods. */
  claims: KubeObject[];
  create: Pod[];
  delete: Pod[];
  status: Record<string, unknown>;
  requeueAfterMs?: number;
}

const ordinalOf = (setName: string, pod: Pod): number | undefined => {
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(`${setName}-`)) return undefined;
  const rest = name.slice(setName.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
};

const terminating = (p: Pod) => !!p.metadata.deletionTimestamp;
const failed = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

/** Pod `<set>-<ordinal>` of `revision`, with its identity: hostname, subdomain, labels and claim volumes. */
export function statefulPod(sts: StatefulSet, ordinal: number, revision: Revision): Pod {
  const name = `${sts.metadata.name}-${ordinal}`;
  const pod = podFromTemplate(revision.template, controllerRefTo(sts, 'apps/v1', 'StatefulSet'), sts.metadata.namespace ?? '', '');
  delete pod.metadata.generateName;
  pod.metadata.name = name;
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: name, [REVISION_LABEL]: revision.name, [POD_INDEX_LABEL]: String(ordinal) };
  const spec = pod.spec as { hostname?: string; subdomain?: string; volumes?: { name: string }[] };
  spec.hostname = name;
  if (sts.spec.serviceName) spec.subdomain = sts.spec.serviceName;
  const claims = sts.spec.volumeClaimTemplates ?? [];
  if (claims.length) {
    const names = new Set(claims.map((c) => c.metadata?.name));
    spec.volumes = [
      ...(spec.volumes ?? []).filter((v) => !names.has(v.name)),
      ...claims.map((c) => ({ name: c.metadata?.name ?? '', persistentVolumeClaim: { claimName: `${c.metadata?.name}-${name}` } })),
    ];
  }
  return pod;
}

/** The PersistentVolumeClaims of pod `ordinal`: `<template>-<set>-<ordinal>`, labelled with the set's selector. */
export function claimsFor(sts: StatefulSet, ordinal: number): KubeObject[] {
  const pod = `${sts.metadata.name}-${ordinal}`;
  return (sts.spec.volumeClaimTemplates ?? []).map((c) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `${c.metadata?.name}-${pod}`, namespace: sts.metadata.namespace, labels: { ...c.metadata?.labels, ...sts.spec.selector?.matchLabels } },
    spec: structuredClone(c.spec ?? {}),
  }));
}

/**
 * One sync of a StatefulSet (upstream's StatefulSetControl): stable names `<set>-<ordinal>`,
 * claims before pods, failed pods replaced; OrderedReady creates the lowest missing ordinal
 * only once every lower one is ready and removes the highest one at a time, Parallel does all
 * at once; RollingUpdate replaces pods of an older revision from the highest ordinal down to
 * the partition, one at a time, while all are ready; OnDelete leaves them. A pod (re)created below
 * the partition gets the current revision, as upstream's newVersionedStatefulSetPod.
 */
export function planStatefulSet(sts: StatefulSet, revisions: Revisions, candidates: Pod[], existingClaims: Set<string>, now: number, manage: boolean): StatefulPlan {
  const name = sts.metadata.name ?? '';
  const claimed = claim(sts, labelSelectorAsQuery(sts.spec.selector), candidates);
  const pods = claimed.owned;
  const plan: StatefulPlan = { adopt: claimed.adopt, release: claimed.release, claims: [], create: [], delete: [], status: {} };
  const replicas = sts.spec.replicas ?? 1;
  const start = sts.spec.ordinals?.start ?? 0;
  const minReady = sts.spec.minReadySeconds ?? 0;
  const update = revisions.update.name;
  const current = revisions.current.name;
  const rolling = (sts.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const rollingUpdate = sts.spec.updateStrategy?.rollingUpdate;
  const currentBelow = start + (rollingUpdate ? (rollingUpdate.partition ?? 0) : rolling ? (sts.status?.currentReplicas ?? 0) : 0);
  const revisionFor = (o: number) => (current !== update && o < currentBelow ? revisions.current : revisions.update);
  const parallel = sts.spec.podManagementPolicy === 'Parallel';
  const byOrdinal = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const p of pods) {
    const o = ordinalOf(name, p);
    if (o !== undefined && o >= start && o < start + replicas) byOrdinal.set(o, p);
    else condemned.push(p);
  }
  const healthy = (p: Pod | undefined) => !!p && !terminating(p) && isPodAvailable(p, minReady, now) && p.status?.phase === 'Running';
  if (manage && !sts.metadata.deletionTimestamp) {
    let blocked = false;
    for (let o = start; o < start + replicas && !blocked; o++) {
      const p = byOrdinal.get(o);
      if (p && failed(p) && !terminating(p)) {
        plan.delete.push(p);
        if (!parallel) blocked = true;
        continue;
      }
      if (!p) {
        for (const c of claimsFor(sts, o)) if (!existingClaims.has(c.metadata.name!)) plan.claims.push(c);
        plan.create.push(statefulPod(sts, o, revisionFor(o)));
        if (!parallel) blocked = true;
        continue;
      }
      if (!parallel && !healthy(p)) blocked = true;
    }
    const inRange = [...byOrdinal.values()];
    const allHealthy = inRange.length === replicas && inRange.every(healthy);
    const down = condemned.filter((p) => !terminating(p)).sort((a, b) => (ordinalOf(name, b) ?? -1) - (ordinalOf(name, a) ?? -1));
    if (parallel) plan.delete.push(...down);
    else if (down.length && !blocked && pods.every((p) => !terminating(p)) && inRange.every(healthy)) plan.delete.push(down[0]!);
    if (rolling && allHealthy && condemned.length === 0 && plan.delete.length === 0 && plan.create.length === 0) {
      const partition = sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
      for (let o = start + replicas - 1; o >= start + partition; o--) {
        const p = byOrdinal.get(o)!;
        if (p.metadata.labels?.[REVISION_LABEL] !== update) {
          plan.delete.push(p);
          break;
        }
      }
    }
  }
  const counted = pods.filter((p) => !failed(p));
  const updated = counted.filter((p) => p.metadata.labels?.[REVISION_LABEL] === update).length;
  const ready = counted.filter(isPodReady).length;
  // Upstream's completeRollingUpdate: every replica updated and ready makes the update current.
  const done = rolling && updated === replicas && counted.length === replicas && ready === replicas;
  plan.status = {
    observedGeneration: sts.metadata.generation ?? 0,
    replicas: counted.length,
    readyReplicas: ready,
    availableReplicas: counted.filter((p) => isPodAvailable(p, minReady, now)).length,
    currentReplicas: done ? updated : counted.filter((p) => p.metadata.labels?.[REVISION_LABEL] === current).length,
    updatedReplicas: updated,
    currentRevision: done ? update : current,
    updateRevision: update,
    collisionCount: sts.status?.collisionCount ?? 0,
  };
  const wait = nextAvailableIn(counted, minReady, now);
  if (wait !== undefined) plan.requeueAfterMs = wait;
  return plan;
}
