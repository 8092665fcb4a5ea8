import type { KubeObject } from '../../../../api/index.js';
import { defaultPodSpec } from '../../shared/pod-spec-defaults.js';
import { arr, child, isObj, objs, setDefault, str, type Obj } from '../../shared/object.js';
import { parseQuantity } from '../../shared/quantity.js';

/** Well-known priority classes the Priority admission plugin resolves without a lookup. */
const SYSTEM_PRIORITIES: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/**
 * DefaultTolerationSeconds admission: how long a pod stays on a not-ready or unreachable node
 * before taint-based eviction (kube-apiserver's --default-not-ready-toleration-seconds and
 * --default-unreachable-toleration-seconds, 300 each).
 */
export interface PodTolerationSeconds {
  notReady: number;
  unreachable: number;
}

export const DEFAULT_TOLERATION_SECONDS: PodTolerationSeconds = { notReady: 300, unreachable: 300 };

/**
 * Pod-only defaults on top of the PodSpec ones: SetDefaults_Pod (requests from limits,
 * enableServiceLinks) and what the default admission chain adds to every pod (ServiceAccount,
 * Priority, DefaultTolerationSeconds), so a created pod reads like one from a real cluster.
 */
export function defaultPod(pod: KubeObject, tolerationSeconds: PodTolerationSeconds = DEFAULT_TOLERATION_SECONDS): void {
  const spec = child(pod, 'spec');
  for (const key of ['initContainers', 'containers']) for (const c of objs(spec[key])) requestsFromLimits(c);
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'serviceAccountName', 'default');
  defaultPodSpec(spec);
  if (spec.priority === undefined) spec.priority = SYSTEM_PRIORITIES[str(spec.priorityClassName)] ?? 0;
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  addDefaultTolerations(spec, tolerationSeconds);
}

function requestsFromLimits(c: Obj): void {
  const res = c.resources;
  if (!isObj(res) || !isObj(res.limits)) return;
  const requests = isObj(res.requests) ? res.requests : {};
  for (const [k, v] of Object.entries(res.limits)) if (requests[k] === undefined) requests[k] = v;
  res.requests = requests;
}

function addDefaultTolerations(spec: Obj, seconds: PodTolerationSeconds): void {
  const tolerations = objs(spec.tolerations);
  const defaults: [string, number][] = [
    ['node.kubernetes.io/not-ready', seconds.notReady],
    ['node.kubernetes.io/unreachable', seconds.unreachable],
  ];
  const added = defaults
    .filter(([key]) => !tolerations.some((t) => (t.key === key || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === '' || t.effect === 'NoExecute')))
    .map(([key, tolerationSeconds]) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds }));
  if (added.length > 0) spec.tolerations = [...arr(spec.tolerations), ...added];
}

/** status.qosClass as upstream qos.GetPodQOS computes it (cpu and memory only). */
export function podQOS(pod: KubeObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = isObj(pod.spec) ? pod.spec : {};
  const containers = [...objs(spec.initContainers), ...objs(spec.containers)];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests = isObj(c.resources) && isObj(c.resources.requests) ? c.resources.requests : {};
    const limits = isObj(c.resources) && isObj(c.resources.limits) ? c.resources.limits : {};
    for (const r of ['cpu', 'memory']) {
      const req = parseQuantity(requests[r]);
      const lim = parseQuantity(limits[r]);
      if ((req ?? 0) > 0 || (lim ?? 0) > 0) anySet = true;
      if (lim === undefined || lim === 0 || (req !== undefined && req !== lim)) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
