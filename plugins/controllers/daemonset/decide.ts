import { type KubeObject, type LabelSelector, labelSelectorAsQuery } from '../../../internal/api/index.js';
import { claim, controllerRefTo } from '../workloads/claim.js';
import { scaledValue } from '../workloads/intstr.js';
import { type Pod, isPodActive, isPodAvailable, isPodReady } from '../workloads/pods.js';
import { type PodTemplate, podFromTemplate } from '../workloads/template.js';
import { type PodPlacement, daemonTolerations, shouldRunOn } from './placement.js';

export interface DaemonSet extends KubeObject {
  spec: {
    selector?: LabelSelector;
    template?: PodTemplate;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  };
  status?: Record<string, unknown> & { collisionCount?: number };
}

export const HASH_LABEL = 'controller-revision-hash';

export interface DaemonPlan {
  adopt: Pod[];
  release: Pod[];
  /** Nodes that need a pod. */
  create: string[];
  delete: Pod[];
  status: Record<string, number>;
}

/** The node a daemon pod is for: where it is bound, or the node its affinity names. */
export function nodeOfPod(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec as { affinity?: PodPlacement['affinity'] } | undefined)?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return terms?.[0]?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0];
}

/**
 * The DaemonSet's pod for `node`: its template, labelled with the hash of the template's
 * ControllerRevision, the daemon tolerations and a node affinity to that one node.
 */
export function daemonPod(ds: DaemonSet, hash: string, node: string): Pod {
  const pod = podFromTemplate(ds.spec.template, controllerRefTo(ds, 'apps/v1', 'DaemonSet'), ds.metadata.namespace ?? '', `${ds.metadata.name}-`);
  pod.metadata.labels = { ...pod.metadata.labels, [HASH_LABEL]: hash };
  const spec = pod.spec as PodPlacement & Record<string, unknown>;
  spec.tolerations = daemonTolerations(spec);
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } };
  return pod;
}

/**
 * One sync of a DaemonSet (upstream's daemon controller): a pod on every node it should run on
 * and none elsewhere (duplicates and failed pods removed), RollingUpdate replacing pods of an old
 * template no more than maxUnavailable at a time, and the status counters.
 */
export function planDaemonSet(ds: DaemonSet, hash: string, nodes: KubeObject[], candidates: Pod[], now: number, manage: boolean): DaemonPlan {
  const claimed = claim(ds, labelSelectorAsQuery(ds.spec.selector), candidates);
  const plan: DaemonPlan = { adopt: claimed.adopt, release: claimed.release, create: [], delete: [], status: {} };
  const minReady = ds.spec.minReadySeconds ?? 0;
  const placement = (ds.spec.template?.spec ?? {}) as PodPlacement;
  const byNode = new Map<string, Pod[]>();
  for (const p of claimed.owned) {
    const n = nodeOfPod(p);
    if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let updated = 0;
  let available = 0;
  const old: Pod[] = [];
  let unavailable = 0;
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const pods = (byNode.get(name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
    const run = shouldRunOn(placement, node);
    if (!run) {
      if (pods.length) misscheduled++;
      plan.delete.push(...pods);
      continue;
    }
    desired++;
    const live = pods.filter(isPodActive);
    plan.delete.push(...pods.filter((p) => !isPodActive(p)));
    if (live.length === 0) {
      if (!(byNode.get(name) ?? []).some((p) => p.metadata.deletionTimestamp)) plan.create.push(name);
      unavailable++;
      continue;
    }
    current++;
    const [keep, ...extra] = live.sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? ''));
    plan.delete.push(...extra);
    if (isPodReady(keep!)) ready++;
    const isAvailable = isPodAvailable(keep!, minReady, now);
    if (isAvailable) available++;
    else unavailable++;
    if (keep!.metadata.labels?.[HASH_LABEL] === hash) updated++;
    else old.push(keep!);
  }
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const maxUnavailable = Math.max(1, scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1, desired, true));
    const budget = maxUnavailable - unavailable;
    // Old pods that are not available go first: replacing them costs no availability.
    const sorted = old.sort((a, b) => Number(isPodAvailable(a, minReady, now)) - Number(isPodAvailable(b, minReady, now)));
    let room = budget;
    for (const p of sorted) {
      if (!isPodAvailable(p, minReady, now)) plan.delete.push(p);
      else if (room-- > 0) plan.delete.push(p);
    }
  }
  if (!manage || ds.metadata.deletionTimestamp) {
    plan.create = [];
    plan.delete = [];
  }
  plan.status = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation ?? 0,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
  return plan;
}
