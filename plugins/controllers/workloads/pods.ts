import type { KubeObject } from '../../../internal/api/index.js';

/** A Pod as the workload controllers read it: only the fields they decide on are typed. */
export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
    containerStatuses?: { name?: string; restartCount?: number; state?: { terminated?: { exitCode?: number } } }[];
    [k: string]: unknown;
  };
}

/** Not terminal and not being deleted: the pods that count towards a controller's replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/**
 * Ready for at least minReadySeconds at `now` (ms), as upstream's IsPodAvailable: with
 * minReadySeconds 0 a ready pod is available at once.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

/** Ms from `now` until a ready-but-not-yet-available pod becomes available (undefined: none waits). */
export function nextAvailableIn(pods: Pod[], minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let soonest: number | undefined;
  for (const p of pods) {
    const c = readyCondition(p);
    if (c?.status !== 'True' || !c.lastTransitionTime) continue;
    const at = Date.parse(c.lastTransitionTime) + minReadySeconds * 1000;
    if (at > now && (soonest === undefined || at - now < soonest)) soonest = at - now;
  }
  return soonest;
}

export function restartCount(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function readySince(pod: Pod): number {
  const t = readyCondition(pod)?.lastTransitionTime;
  return t ? Date.parse(t) : NaN;
}

function created(pod: Pod): number {
  const t = pod.metadata.creationTimestamp;
  return t ? Date.parse(t) : NaN;
}

/** Missing times first, then newer before older (a missing time counts as the newest). */
function newerFirst(a: number, b: number): number {
  const x = Number.isNaN(a) ? Infinity : a;
  const y = Number.isNaN(b) ? Infinity : b;
  return x > y ? -1 : x < y ? 1 : 0;
}

/**
 * Upstream's deletion order (ActivePodsWithRanks): the pod that is cheapest to lose first.
 * Unassigned before assigned; Pending before Unknown before Running; not ready before ready;
 * lower pod-deletion-cost first; pods doubled up on a node with more of their kind first
 * (`rank`: how many related pods share the node); ready for a shorter time first; more restarts
 * first; newer first.
 */
export function compareForDeletion(a: Pod, b: Pod, rank: (p: Pod) => number = () => 0): number {
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  const costA = deletionCost(a);
  const costB = deletionCost(b);
  if (costA !== costB) return costA - costB;
  const rankA = rank(a);
  const rankB = rank(b);
  if (rankA !== rankB) return rankB - rankA;
  if (readyA && readyB) {
    const byReady = newerFirst(readySince(a), readySince(b));
    if (byReady !== 0) return byReady;
  }
  const restarts = restartCount(b) - restartCount(a);
  if (restarts !== 0) return restarts;
  return newerFirst(created(a), created(b));
}

function deletionCost(pod: Pod): number {
  const v = Number(pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

/**
 * The `count` pods to delete from `pods`, in upstream's order. Each pod's rank is the number of
 * `related` active pods (the controller's and its siblings') on the same node.
 */
export function podsToDelete(pods: Pod[], related: Pod[], count: number): Pod[] {
  if (count <= 0) return [];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const n = p.spec?.nodeName;
    if (n && isPodActive(p)) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  const rank = (p: Pod) => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rank)).slice(0, count);
}
