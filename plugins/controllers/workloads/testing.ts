import type { Pod } from './pods.js';

/** Pod fixtures for the workload controllers' tests. */
export interface PodOpts {
  labels?: Record<string, string>;
  owner?: string;
  node?: string;
  phase?: string;
  ready?: string | false;
  created?: string;
  deleting?: boolean;
  restarts?: number;
  annotations?: Record<string, string>;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web' },
      ...(o.annotations ? { annotations: o.annotations } : {}),
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ready !== undefined ? { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.ready || undefined }] } : {}),
      ...(o.restarts ? { containerStatuses: [{ name: 'c', restartCount: o.restarts }] } : {}),
    },
  };
}
