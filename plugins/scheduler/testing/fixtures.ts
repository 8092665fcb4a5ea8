import type { KubeObject } from '../../../internal/api/index.js';
import { addPod, nodeInfoOf, type NodeInfo } from '../node-info.js';
import { podInfoOf, type PodInfo } from '../pod-info.js';

type Obj = Record<string, any>;

/** A Node with allocatable cpu/memory/pods, labels (hostname added) and optional spec fields. */
export function makeNode(name: string, opts: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; spec?: Obj } = {}): KubeObject {
  const allocatable = { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: opts.spec ?? {},
    status: { capacity: allocatable, allocatable },
  };
}

/** A pod with one container requesting cpu/memory; spec fields merge over the defaults. */
export function makePod(name: string, opts: { cpu?: string; memory?: string; labels?: Record<string, string>; spec?: Obj; namespace?: string; owner?: string } = {}): KubeObject {
  const requests: Obj = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: opts.labels ?? {},
      creationTimestamp: '2026-01-01T00:00:00Z',
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: opts.owner, uid: `uid-${opts.owner}`, controller: true }] } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests } }], schedulerName: 'default-scheduler', priority: 0, ...opts.spec },
  };
}

/** NodeInfos for nodes, with pods placed on them by name: {node: [pods]}. */
export function nodeInfos(nodes: KubeObject[], placed: Record<string, KubeObject[]> = {}): NodeInfo[] {
  return nodes.map((n) => {
    const info = nodeInfoOf(n);
    for (const p of placed[info.name] ?? []) addPod(info, podInfoOf(p));
    return info;
  });
}

export function pod(name: string, opts: Parameters<typeof makePod>[1] = {}): PodInfo {
  return podInfoOf(makePod(name, opts));
}
