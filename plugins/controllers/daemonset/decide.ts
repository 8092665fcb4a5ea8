import { type KubeObject, type LabelSelector, labelSelectorAsQuery } from '../../../internal/api/index.js';
import { claim, controllerRefTo } from '../workloads/claim.js';
import { scaledValue } from '../workloads/intstr.js';
import { type Pod, isPodActive, isPodAvailable, isPodReady, nextAvailableIn } from '../workloads/pods.js';
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
  /** Look again then: a ready pod becomes available after minReadySeconds. */
  requeueAfterMs?: number;
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

/** A node's live daemon pods after the manage step: the oldest updated one and the oldest old one. */
interface NodePods {
  node: string;
  updated?: Pod;
  old?: Pod;
  /** More pods than allowed were there (being removed now): the node counts as in progress. */
  extra: boolean;
}

const byCreation = (a: Pod, b: Pod) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '');

/**
 * One sync of a DaemonSet (upstream's daemon controller): a pod on every node it should run on
 * and none elsewhere (duplicates and failed pods removed), a RollingUpdate (below) and the status
 * counters, which read each node's oldest pod.
 */
export function planDaemonSet(ds: DaemonSet, hash: string, nodes: KubeObject[], candidates: Pod[], now: number, manage: boolean): DaemonPlan {
  const claimed = claim(ds, labelSelectorAsQuery(ds.spec.selector), candidates);
  const plan: DaemonPlan = { adopt: claimed.adopt, release: claimed.release, create: [], delete: [], status: {} };
  const minReady = ds.spec.minReadySeconds ?? 0;
  const available = (p: Pod) => isPodAvailable(p, minReady, now);
  const isUpdated = (p: Pod) => p.metadata.labels?.[HASH_LABEL] === hash;
  const placement = (ds.spec.template?.spec ?? {}) as PodPlacement;
  const byNode = new Map<string, Pod[]>();
  for (const p of claimed.owned) {
    const n = nodeOfPod(p);
    if (n) byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const eligible = nodes.filter((n) => shouldRunOn(placement, n));
  const desired = eligible.length;
  const limits = rollingLimits(ds, desired);
  const counts = { current: 0, misscheduled: 0, ready: 0, updated: 0, available: 0 };
  const withPods: NodePods[] = [];
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const all = byNode.get(name) ?? [];
    const pods = all.filter((p) => !p.metadata.deletionTimestamp);
    if (!eligible.includes(node)) {
      if (pods.length) counts.misscheduled++;
      plan.delete.push(...pods);
      continue;
    }
    const live = pods.filter(isPodActive).sort(byCreation);
    plan.delete.push(...pods.filter((p) => !isPodActive(p)));
    if (live.length === 0) {
      if (!all.some((p) => p.metadata.deletionTimestamp)) plan.create.push(name);
      else withPods.push({ node: name, extra: false });
      continue;
    }
    // With surge a node may hold one old and one updated pod; otherwise only one pod.
    const keep = limits.maxSurge > 0 ? [live.find(isUpdated), live.find((p) => !isUpdated(p))].filter((p): p is Pod => !!p) : [live[0]!];
    const extra = live.filter((p) => !keep.includes(p));
    plan.delete.push(...extra);
    const oldest = live[0]!;
    counts.current++;
    if (isPodReady(oldest)) counts.ready++;
    if (available(oldest)) counts.available++;
    if (isUpdated(oldest)) counts.updated++;
    withPods.push({ node: name, updated: keep.find(isUpdated), old: keep.find((p) => !isUpdated(p)), extra: extra.length > 0 });
  }
  // As upstream, the update runs only in a sync whose manage step had nothing to do (its
  // expectations are met): a pod just created counts as in progress only once it is seen.
  if ((ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && !plan.create.length && !plan.delete.length) {
    const step = limits.maxSurge > 0 ? surgeUpdate(withPods, limits.maxSurge, available) : unavailableUpdate(withPods, limits.maxUnavailable, available);
    plan.delete.push(...step.delete);
    plan.create.push(...step.create);
  }
  if (!manage || ds.metadata.deletionTimestamp) {
    plan.create = [];
    plan.delete = [];
  }
  plan.status = {
    currentNumberScheduled: counts.current,
    numberMisscheduled: counts.misscheduled,
    desiredNumberScheduled: desired,
    numberReady: counts.ready,
    observedGeneration: ds.metadata.generation ?? 0,
    updatedNumberScheduled: counts.updated,
    numberAvailable: counts.available,
    numberUnavailable: desired - counts.available,
  };
  const wait = nextAvailableIn(claimed.owned, minReady, now);
  if (wait !== undefined) plan.requeueAfterMs = wait;
  return plan;
}

/** maxSurge and maxUnavailable against the desired node count, rounded up; both 0 means maxUnavailable 1 (upstream's updatedDesiredNodeCounts). */
export function rollingLimits(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec.updateStrategy?.rollingUpdate;
  const maxSurge = scaledValue(ru?.maxSurge ?? 0, desired, true);
  let maxUnavailable = scaledValue(ru?.maxUnavailable ?? 1, desired, true);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

interface UpdateStep {
  delete: Pod[];
  create: string[];
}

/**
 * Rolling update without surge: nodes in progress (no live pod, two pods, an updated pod not yet
 * available) count as unavailable; old pods that are not available are replaced at once, and
 * available old pods only while fewer than maxUnavailable nodes are unavailable.
 */
function unavailableUpdate(nodes: NodePods[], maxUnavailable: number, available: (p: Pod) => boolean): UpdateStep {
  let unavailable = 0;
  const replace: Pod[] = [];
  const candidates: Pod[] = [];
  for (const n of nodes) {
    if (n.extra || (!n.old && !n.updated) || (n.old && n.updated)) unavailable++;
    else if (n.updated) {
      if (!available(n.updated)) unavailable++;
    } else if (!available(n.old!)) replace.push(n.old!);
    else candidates.push(n.old!);
  }
  const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
  return { delete: [...replace, ...candidates.slice(0, room)], create: [] };
}

/**
 * Rolling update with surge (upstream's maxSurge path, availability kept at 100%): an updated pod
 * is started beside each old pod that is not available, and beside at most maxSurge available old
 * pods at a time (updated pods not yet available use up the surge); an old pod goes once the
 * updated pod on its node is available.
 */
function surgeUpdate(nodes: NodePods[], maxSurge: number, available: (p: Pod) => boolean): UpdateStep {
  let surging = 0;
  const step: UpdateStep = { delete: [], create: [] };
  const candidates: string[] = [];
  for (const n of nodes) {
    if (n.extra) {
      surging++;
      continue;
    }
    if (!n.old) continue;
    if (!n.updated) {
      if (!available(n.old)) step.create.push(n.node);
      else candidates.push(n.node);
    } else if (!available(n.updated)) surging++;
    else step.delete.push(n.old);
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidates.length);
  step.create.push(...candidates.slice(0, room));
  return step;
}
