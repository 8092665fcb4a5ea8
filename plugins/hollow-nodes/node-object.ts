import type { KubeObject } from '../../internal/api/index.js';

/** What each hollow node offers (allocatable = capacity) and how they are labelled. */
export interface HollowNodeShape {
  cpu: string;
  memory: string;
  pods: number;
  zones: number;
  kubeletVersion: string;
}

export const DEFAULT_SHAPE: HollowNodeShape = { cpu: '4', memory: '16Gi', pods: 110, zones: 3, kubeletVersion: 'v1.33.0' };

/** Label every hollow node carries; the API server names simulated nodes in logs/exec answers by it. */
export const HOLLOW_LABEL = 'kplane.io/hollow-node';

function hash(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A /24 for the node's pods, from a hash of its name over 10.64.0.0/10 (nodes of many replicas rarely meet). */
export function podCIDROf(name: string): { cidr: string; base: string } {
  const block = hash(name) % (64 * 256);
  const base = `10.${64 + (block >> 8)}.${block & 255}`;
  return { cidr: `${base}.0/24`, base };
}

/** The node's own address, a stable fake in 172.16.0.0/12 from a hash of its name. */
export function hostIPOf(name: string): string {
  const h = hash(`host/${name}`);
  return `172.${16 + ((h >> 16) & 15)}.${(h >> 8) & 255}.${Math.max(1, h & 255)}`;
}

function conditions(now: string, ready: boolean): Record<string, unknown>[] {
  const c = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: now, reason, message });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready ? c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status (simulated node)') : c('Ready', 'False', 'KubeletNotReady', 'starting'),
  ];
}

/** The Node a hollow kubelet registers. */
export function nodeObject(name: string, index: number, shape: HollowNodeShape, now: string): KubeObject {
  const capacity = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods), 'ephemeral-storage': '100Gi' };
  const { cidr } = podCIDROf(name);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/region': 'hollow',
        'topology.kubernetes.io/zone': `hollow-${String.fromCharCode(97 + (index % Math.max(1, shape.zones)))}`,
        'node.kubernetes.io/instance-type': 'hollow',
        [HOLLOW_LABEL]: 'true',
      },
    },
    spec: { podCIDR: cidr, podCIDRs: [cidr], providerID: `kplane://hollow/${name}` },
    status: {
      capacity,
      allocatable: capacity,
      conditions: conditions(now, true),
      addresses: [
        { type: 'InternalIP', address: hostIPOf(name) },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: name,
        systemUUID: name,
        bootID: name,
        kernelVersion: '6.1.0-hollow',
        osImage: 'kplane hollow node',
        containerRuntimeVersion: 'hollow://1.0.0',
        kubeletVersion: shape.kubeletVersion,
        kubeProxyVersion: shape.kubeletVersion,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** The status.conditions a heartbeat writes back: Ready again after the node lifecycle controller marked it Unknown. */
export function readyConditions(now: string, old: Record<string, any>[] | undefined): Record<string, unknown>[] {
  const fresh = conditions(now, true);
  return fresh.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
  });
}

/** The node's Lease in kube-node-lease, renewed as a kubelet does. */
export function leaseObject(name: string, nodeUid: string | undefined, now: string, durationSeconds: number): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-node-lease',
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime: now },
  };
}

/** Pod IPs of one node's /24: .2–.254, lowest free first. */
export class PodIPs {
  private readonly used = new Set<number>();
  private readonly base: string;
  constructor(nodeName: string) {
    this.base = podCIDROf(nodeName).base;
  }

  /** Marks an address seen on an existing pod (after a restart). */
  mark(ip: string): void {
    if (ip.startsWith(`${this.base}.`)) this.used.add(Number(ip.slice(this.base.length + 1)));
  }

  /** The lowest free address; when all are taken, addresses are shared (a simulation limit). */
  allocate(): string {
    for (let i = 2; i < 255; i++) {
      if (!this.used.has(i)) {
        this.used.add(i);
        return `${this.base}.${i}`;
      }
    }
    return `${this.base}.${2 + (this.used.size % 253)}`;
  }

  release(ip: string): void {
    if (ip.startsWith(`${this.base}.`)) this.used.delete(Number(ip.slice(this.base.length + 1)));
  }
}
