import { tolerates } from '../../internal/api/index.js';
import type { NodeInfo, Taint } from './node-info.js';
import type { PodInfo, Toleration } from './pod-info.js';

export function isTolerated(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}

/** TaintToleration filter: the first NoSchedule/NoExecute taint the pod does not tolerate fails it. */
export function taintFilter(pod: PodInfo, node: NodeInfo): string[] | undefined {
  for (const taint of node.taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!isTolerated(pod.tolerations, taint)) return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`];
  }
  return undefined;
}

/** TaintToleration score (raw): PreferNoSchedule taints not tolerated; fewer is better (normalized reversed). */
export function taintScore(pod: PodInfo, node: NodeInfo): number {
  let n = 0;
  for (const taint of node.taints) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    const preferTolerations = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    if (!isTolerated(preferTolerations, taint)) n++;
  }
  return n;
}

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** NodeUnschedulable filter: a cordoned node takes only pods tolerating its unschedulable taint. */
export function unschedulableFilter(pod: PodInfo, node: NodeInfo): string[] | undefined {
  if (!node.unschedulable || isTolerated(pod.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
  return ['node(s) were unschedulable'];
}

/** NodeName filter. */
export function nodeNameFilter(pod: PodInfo, node: NodeInfo): string[] | undefined {
  if (!pod.nodeName || pod.nodeName === node.name) return undefined;
  return ["node(s) didn't match the requested node name"];
}
