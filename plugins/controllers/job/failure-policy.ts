import type { Pod } from '../workloads/pods.js';
import type { PodFailurePolicyRule } from './types.js';

export interface PolicyMatch {
  action: string;
  /** The message upstream puts on the Failed condition for a FailJob match. */
  message: string;
}

interface ContainerStatus {
  name?: string;
  state?: { terminated?: { exitCode?: number } };
}

/**
 * The first podFailurePolicy rule a failed pod matches (upstream's matchPodFailurePolicy), or
 * undefined (the failure counts towards backoffLimit). Containers that exited 0 never match
 * onExitCodes.
 */
export function matchFailurePolicy(rules: PodFailurePolicyRule[] | undefined, pod: Pod): PolicyMatch | undefined {
  const statuses = [
    ...((pod.status?.initContainerStatuses as ContainerStatus[] | undefined) ?? []),
    ...((pod.status?.containerStatuses as ContainerStatus[] | undefined) ?? []),
  ];
  const podName = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [i, rule] of (rules ?? []).entries()) {
    if (rule.onExitCodes) {
      const { containerName, operator, values } = rule.onExitCodes;
      for (const c of statuses) {
        const code = c.state?.terminated?.exitCode;
        if (code === undefined || code === 0 || (containerName && c.name !== containerName)) continue;
        if ((operator === 'In') === values.includes(code)) {
          return { action: rule.action, message: `Container ${c.name} for pod ${podName} failed with exit code ${code} matching ${rule.action} rule at index ${i}` };
        }
      }
    }
    for (const pc of rule.onPodConditions ?? []) {
      const has = pod.status?.conditions?.some((c) => c.type === pc.type && c.status === (pc.status ?? 'True'));
      if (has) return { action: rule.action, message: `Pod ${podName} has condition ${pc.type} matching ${rule.action} rule at index ${i}` };
    }
  }
  return undefined;
}
