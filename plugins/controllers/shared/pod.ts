import type { KubeObject } from '../../../internal/api/index.js';

interface PodStatus {
  phase?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
}

function status(pod: KubeObject): PodStatus {
  return (pod.status ?? {}) as PodStatus;
}

/** The pod's Ready condition, if it has one. */
export function readyCondition(pod: KubeObject): { status: string; lastTransitionTime?: string } | undefined {
  return status(pod).conditions?.find((c) => c.type === 'Ready');
}

/** Ready condition True (upstream podutil.IsPodReady). */
export function podReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Succeeded or Failed: the pod will not run again. */
export function podTerminal(pod: KubeObject): boolean {
  const phase = status(pod).phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** status.podIPs, or status.podIP alone for a writer that set only that. */
export function podIPs(pod: KubeObject): string[] {
  const s = status(pod);
  const ips = (s.podIPs ?? []).map((p) => p.ip).filter(Boolean);
  return ips.length > 0 ? ips : s.podIP ? [s.podIP] : [];
}

export function ipFamilyOf(ip: string): 'IPv4' | 'IPv6' {
  return ip.includes(':') ? 'IPv6' : 'IPv4';
}

/**
 * Whether a pod belongs in a Service's endpoints at all (upstream ShouldPodBeInEndpoints): not
 * terminal, has an IP, and, unless terminating pods are wanted, no deletionTimestamp.
 */
export function podServesEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  if (podTerminal(pod) || podIPs(pod).length === 0) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
  appProtocol?: string;
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

/**
 * The pod port a service port sends to (upstream FindPort): a numeric targetPort as is (absent or
 * 0 means the service port), a named one looked up among the containers' ports of the same
 * protocol. undefined when the pod has no such named port.
 */
export function findPort(pod: KubeObject, sp: ServicePort): number | undefined {
  const target = sp.targetPort;
  if (typeof target !== 'string') return target || sp.port;
  const protocol = sp.protocol ?? 'TCP';
  const spec = (pod.spec ?? {}) as { containers?: { ports?: ContainerPort[] }[] };
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

export type { ServicePort };
