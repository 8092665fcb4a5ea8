import { type KubeObject, type NodeSelectorTerm, type Taint, type Toleration, podFitsNodeSelector, tolerates } from '../../../internal/api/index.js';

export interface PodPlacement {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
}

/**
 * The tolerations every DaemonSet pod gets (upstream's AddOrUpdateDaemonPodTolerations): it keeps
 * running on not-ready and unreachable nodes, under node pressure and on cordoned nodes.
 */
export function daemonTolerations(spec: PodPlacement): Toleration[] {
  const add: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) add.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const have = spec.tolerations ?? [];
  return [...have, ...add.filter((a) => !have.some((h) => h.key === a.key && h.effect === a.effect))];
}

/**
 * Whether a DaemonSet pod with this spec belongs on `node`: the scheduler's node selector and
 * required affinity matcher, and NoSchedule/NoExecute taints against the daemon tolerations.
 */
export function shouldRunOn(spec: PodPlacement, node: KubeObject): boolean {
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!podFitsNodeSelector(spec.nodeSelector, terms, { name: node.metadata.name ?? '', labels: node.metadata.labels ?? {} })) return false;
  const taints = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  const tolerations = daemonTolerations(spec);
  return taints.every((taint) => tolerations.some((t) => tolerates(t, taint)));
}
