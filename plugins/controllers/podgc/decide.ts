import type { KubeObject } from '../../../internal/api/index.js';
import { podTerminal } from '../shared/pod.js';

/** Upstream's defaults: --terminated-pod-gc-threshold 12500, 40 s quarantine of a missing node, a pass every 20 s. */
export const TERMINATED_POD_THRESHOLD = 12500;
export const QUARANTINE_MS = 40_000;
export const GC_PERIOD_MS = 20_000;

const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** One pod to force-delete (grace 0); `markFailed` first moves a non-terminal pod to Failed with `condition`. */
export interface PodDeletion {
  pod: KubeObject;
  reason: 'terminated' | 'orphaned' | 'unscheduled-terminating' | 'out-of-service';
  markFailed: boolean;
  condition?: PodCondition;
}

const nodeNameOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
const created = (o: KubeObject) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;

/** The oldest terminated pods beyond the threshold (none when threshold is 0 or less, as upstream). */
export function terminatedOverThreshold(pods: KubeObject[], threshold: number): KubeObject[] {
  if (threshold <= 0) return [];
  const done = pods.filter(podTerminal);
  const excess = done.length - threshold;
  if (excess <= 0) return [];
  return done.sort((a, b) => created(a) - created(b)).slice(0, excess);
}

/** Names of nodes pods are bound to that the node cache does not have (candidates for quarantine). */
export function missingNodes(pods: KubeObject[], nodeExists: (name: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const p of pods) {
    const n = nodeNameOf(p);
    if (n && !nodeExists(n)) out.add(n);
  }
  return out;
}

function outOfService(node: KubeObject): boolean {
  const spec = (node.spec ?? {}) as { taints?: { key: string }[] };
  const status = (node.status ?? {}) as { conditions?: { type: string; status: string }[] };
  const ready = status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  return !ready && (spec.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT);
}

/**
 * One pass of the pod garbage collector (upstream gcTerminated, gcOrphaned, gcUnscheduledTerminating,
 * gcTerminating): terminated pods over the threshold, oldest first; pods bound to nodes confirmed
 * gone (after quarantine); terminating pods that were never scheduled; terminating pods on a
 * not-ready node tainted out-of-service. Each pod appears at most once.
 */
export function podGcPass(input: { pods: KubeObject[]; nodes: Map<string, KubeObject>; goneNodes: Set<string>; threshold: number }): PodDeletion[] {
  const out = new Map<string, PodDeletion>();
  const add = (d: PodDeletion) => {
    const k = `${d.pod.metadata.namespace}/${d.pod.metadata.name}`;
    if (!out.has(k)) out.set(k, d);
  };
  for (const pod of terminatedOverThreshold(input.pods, input.threshold)) add({ pod, reason: 'terminated', markFailed: false });
  for (const pod of input.pods) {
    const node = nodeNameOf(pod);
    const markFailed = !podTerminal(pod);
    if (node && input.goneNodes.has(node)) {
      add({ pod, reason: 'orphaned', markFailed, condition: { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' } });
    } else if (pod.metadata.deletionTimestamp && !node) {
      add({ pod, reason: 'unscheduled-terminating', markFailed });
    } else if (pod.metadata.deletionTimestamp && input.nodes.has(node) && outOfService(input.nodes.get(node)!)) {
      add({ pod, reason: 'out-of-service', markFailed });
    }
  }
  return [...out.values()];
}

/** The status patch that marks a pod Failed with the condition (replacing one of the same type). */
export function failedStatusPatch(pod: KubeObject, condition: PodCondition | undefined, now: string): { status: Record<string, unknown> } {
  const status: Record<string, unknown> = { phase: 'Failed' };
  if (condition) {
    const conditions = ((pod.status as { conditions?: PodCondition[] } | undefined)?.conditions ?? []).filter((c) => c.type !== condition.type);
    status.conditions = [...conditions, { ...condition, lastTransitionTime: now }];
  }
  return { status };
}
