import { nodeSelectorTermMatches, podFitsNodeSelector } from '../../internal/api/index.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';

/** nodeSelector and required node affinity together, as the NodeAffinity filter checks them. */
export function matchesNodeSelectorAndAffinity(pod: PodInfo, node: NodeInfo): boolean {
  return podFitsNodeSelector(pod.nodeSelector, pod.affinity.nodeRequired, node);
}

export function nodeAffinityFilter(pod: PodInfo, node: NodeInfo): string[] | undefined {
  return matchesNodeSelectorAndAffinity(pod, node) ? undefined : ["node(s) didn't match Pod's node affinity/selector"];
}

/** NodeAffinity score (raw): the sum of weights of preferred terms the node matches. */
export function nodeAffinityScore(pod: PodInfo, node: NodeInfo): number {
  let s = 0;
  for (const p of pod.affinity.nodePreferred ?? []) if (p.weight && nodeSelectorTermMatches(p.preference, node)) s += p.weight;
  return s;
}
