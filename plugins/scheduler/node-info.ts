import type { KubeObject } from '../../internal/api/index.js';
import { addTo, emptyResources, type PodInfo, type Resources } from './pod-info.js';

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
  timeAdded?: string;
}

/**
 * A node with the pods bound or assumed on it and their sums, kept up to date incrementally by
 * the scheduler cache so that filters read totals instead of summing pods.
 */
export interface NodeInfo {
  name: string;
  node: KubeObject;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  allocatable: Resources;
  allowedPods: number;
  requested: Resources;
  nonZeroRequested: { milliCPU: number; memory: number };
  pods: Map<string, PodInfo>;
  /** "protocol/ip/port" of host ports in use. */
  usedPorts: Map<string, number>;
  /** Pods here with any pod (anti-)affinity; the inter-pod affinity checks look only at these. */
  podsWithAffinity: number;
}

type Obj = Record<string, any>;

export function nodeInfoOf(node: KubeObject): NodeInfo {
  const info: NodeInfo = {
    name: node.metadata.name ?? '',
    node,
    labels: {},
    taints: [],
    unschedulable: false,
    allocatable: emptyResources(),
    allowedPods: 0,
    requested: emptyResources(),
    nonZeroRequested: { milliCPU: 0, memory: 0 },
    pods: new Map(),
    usedPorts: new Map(),
    podsWithAffinity: 0,
  };
  setNode(info, node);
  return info;
}

/** Replaces the Node object of an info, keeping its pods. */
export function setNode(info: NodeInfo, node: KubeObject): void {
  const spec: Obj = (node.spec as Obj) ?? {};
  const alloc: Obj = (node.status as Obj)?.allocatable ?? (node.status as Obj)?.capacity ?? {};
  const allocatable = emptyResources();
  addTo(allocatable, alloc);
  info.node = node;
  info.labels = node.metadata.labels ?? {};
  info.taints = spec.taints ?? [];
  info.unschedulable = spec.unschedulable === true;
  info.allocatable = allocatable;
  info.allowedPods = Number(alloc.pods ?? 110) || 0;
}

export function hasAffinity(p: PodInfo): boolean {
  const a = p.affinity;
  return !!(a.podRequired || a.podPreferred || a.antiRequired || a.antiPreferred);
}

export function addPod(info: NodeInfo, p: PodInfo): void {
  if (info.pods.has(p.key)) removePod(info, p.key);
  info.pods.set(p.key, p);
  apply(info, p, 1);
}

export function removePod(info: NodeInfo, key: string): PodInfo | undefined {
  const p = info.pods.get(key);
  if (!p) return undefined;
  info.pods.delete(key);
  apply(info, p, -1);
  return p;
}

function apply(info: NodeInfo, p: PodInfo, sign: 1 | -1): void {
  const r = info.requested;
  r.milliCPU += sign * p.requests.milliCPU;
  r.memory += sign * p.requests.memory;
  r.ephemeralStorage += sign * p.requests.ephemeralStorage;
  for (const [k, v] of Object.entries(p.requests.scalar ?? {})) (r.scalar ??= {})[k] = (r.scalar[k] ?? 0) + sign * v;
  info.nonZeroRequested.milliCPU += sign * p.nonZero.milliCPU;
  info.nonZeroRequested.memory += sign * p.nonZero.memory;
  for (const hp of p.hostPorts) {
    const k = portKey(hp.protocol, hp.hostIP, hp.hostPort);
    const n = (info.usedPorts.get(k) ?? 0) + sign;
    if (n <= 0) info.usedPorts.delete(k);
    else info.usedPorts.set(k, n);
  }
  if (hasAffinity(p)) info.podsWithAffinity += sign;
}

export function portKey(protocol: string, ip: string, port: number): string {
  return `${protocol}/${ip}/${port}`;
}
