import { parseQuantity, type KubeObject, type LabelSelector, type NodeSelectorTerm } from '../../internal/api/index.js';

/** CPU in millicores, memory and ephemeral storage in bytes, extended resources by name. */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  scalar?: Record<string, number>;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface HostPort {
  hostIP: string;
  protocol: string;
  hostPort: number;
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  namespaceSelector?: LabelSelector;
  topologyKey: string;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: LabelSelector;
  minDomains?: number;
  nodeAffinityPolicy?: 'Honor' | 'Ignore';
  nodeTaintsPolicy?: 'Honor' | 'Ignore';
}

/**
 * What the scheduler reads of a pod, computed once per pod version: filters and scores run for
 * many nodes per pod, so nothing here is recomputed per node.
 */
export interface PodInfo {
  pod: KubeObject;
  /** "namespace/name". */
  key: string;
  uid: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nodeName: string;
  schedulerName: string;
  priority: number;
  preemptionPolicy: string;
  requests: Resources;
  /** Requests with upstream's non-zero defaults (100m CPU, 200 MiB) for scoring empty requests. */
  nonZero: { milliCPU: number; memory: number };
  hostPorts: HostPort[];
  tolerations: Toleration[];
  nodeSelector: Record<string, string>;
  affinity: Affinity;
  spreadConstraints: TopologySpreadConstraint[];
  /** The uid of the controller owning the pod, if any (the default spreading groups by it). */
  controllerUid: string;
  createdAt: number;
}

export interface Affinity {
  nodeRequired?: NodeSelectorTerm[];
  nodePreferred?: { weight: number; preference: NodeSelectorTerm }[];
  podRequired?: PodAffinityTerm[];
  podPreferred?: { weight: number; podAffinityTerm: PodAffinityTerm }[];
  antiRequired?: PodAffinityTerm[];
  antiPreferred?: { weight: number; podAffinityTerm: PodAffinityTerm }[];
}

const DEFAULT_MILLI_CPU = 100;
const DEFAULT_MEMORY = 200 * 1024 * 1024;

type Obj = Record<string, any>;

/** Reads a pod once into the shape the scheduler works on. */
export function podInfoOf(pod: KubeObject): PodInfo {
  const spec: Obj = (pod.spec as Obj) ?? {};
  const meta = pod.metadata;
  const containers: Obj[] = spec.containers ?? [];
  const requests = podRequests(spec);
  const owner = (meta.ownerReferences ?? []).find((o) => o.controller);
  return {
    pod,
    key: `${meta.namespace ?? ''}/${meta.name ?? ''}`,
    uid: meta.uid ?? '',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    labels: meta.labels ?? {},
    nodeName: spec.nodeName ?? '',
    schedulerName: spec.schedulerName ?? 'default-scheduler',
    priority: typeof spec.priority === 'number' ? spec.priority : 0,
    preemptionPolicy: spec.preemptionPolicy ?? 'PreemptLowerPriority',
    requests,
    nonZero: nonZeroRequests(spec),
    hostPorts: containers.flatMap((c) => (c.ports ?? []).filter((p: Obj) => p.hostPort > 0).map((p: Obj) => ({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', hostPort: p.hostPort }))),
    tolerations: spec.tolerations ?? [],
    nodeSelector: spec.nodeSelector ?? {},
    affinity: affinityOf(spec.affinity),
    spreadConstraints: spec.topologySpreadConstraints ?? [],
    controllerUid: owner?.uid ?? '',
    createdAt: Date.parse(meta.creationTimestamp ?? '') || 0,
  };
}

function affinityOf(a: Obj | undefined): Affinity {
  if (!a) return {};
  return {
    nodeRequired: a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    nodePreferred: a.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    podRequired: a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    podPreferred: a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    antiRequired: a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    antiPreferred: a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
  };
}

/**
 * The pod's effective request: the sum over app containers (and restartable init containers, which
 * run beside them), at least the largest plain init container, plus spec.overhead.
 */
export function podRequests(spec: Obj): Resources {
  const sum = emptyResources();
  for (const c of spec.containers ?? []) addTo(sum, c.resources?.requests);
  let sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of spec.initContainers ?? []) {
    const r = emptyResources();
    addTo(r, c.resources?.requests);
    if (c.restartPolicy === 'Always') {
      sidecars = plus(sidecars, r);
      continue;
    }
    maxInto(initMax, plus(sidecars, r));
  }
  const total = plus(sum, sidecars);
  maxInto(total, initMax);
  addTo(total, spec.overhead);
  return total;
}

function nonZeroRequests(spec: Obj): { milliCPU: number; memory: number } {
  let milliCPU = 0;
  let memory = 0;
  for (const c of spec.containers ?? []) {
    const r = c.resources?.requests ?? {};
    milliCPU += r.cpu !== undefined ? Math.round((parseQuantity(r.cpu) ?? 0) * 1000) : DEFAULT_MILLI_CPU;
    memory += r.memory !== undefined ? (parseQuantity(r.memory) ?? 0) : DEFAULT_MEMORY;
  }
  return { milliCPU, memory };
}

export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0 };
}

/** Adds a ResourceList (quantity strings by name) into r. */
export function addTo(r: Resources, list: Obj | undefined): void {
  if (!list) return;
  for (const [name, q] of Object.entries(list)) {
    const v = parseQuantity(q) ?? 0;
    if (name === 'cpu') r.milliCPU += Math.round(v * 1000);
    else if (name === 'memory') r.memory += v;
    else if (name === 'ephemeral-storage') r.ephemeralStorage += v;
    else if (name !== 'pods') (r.scalar ??= {})[name] = (r.scalar[name] ?? 0) + v;
  }
}

export function plus(a: Resources, b: Resources): Resources {
  const out: Resources = { milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory, ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage };
  if (a.scalar || b.scalar) {
    out.scalar = { ...a.scalar };
    for (const [k, v] of Object.entries(b.scalar ?? {})) out.scalar[k] = (out.scalar[k] ?? 0) + v;
  }
  return out;
}

function maxInto(r: Resources, o: Resources): void {
  r.milliCPU = Math.max(r.milliCPU, o.milliCPU);
  r.memory = Math.max(r.memory, o.memory);
  r.ephemeralStorage = Math.max(r.ephemeralStorage, o.ephemeralStorage);
  for (const [k, v] of Object.entries(o.scalar ?? {})) (r.scalar ??= {})[k] = Math.max(r.scalar[k] ?? 0, v);
}
