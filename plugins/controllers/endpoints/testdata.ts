import type { KubeObject } from '../../../internal/api/index.js';

/** A Service selecting app=web in ns, port "http" 80 → target "web" (named), plus overrides. */
export function service(over: { spec?: Record<string, unknown>; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', creationTimestamp: '2026-01-01T00:00:00Z', labels: over.labels },
    spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }], ...over.spec },
  };
}

/** A running pod labelled app=web with container port "web" 8080; ready unless told. */
export function pod(name: string, ip: string | undefined, opts: { ready?: boolean; deleting?: boolean; phase?: string; port?: number; labels?: Record<string, string>; readySince?: string } = {}): KubeObject {
  const ready = opts.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      labels: opts.labels ?? { app: 'web' },
      ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}),
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', ports: [{ name: 'web', containerPort: opts.port ?? 8080, protocol: 'TCP' }] }] },
    status: {
      phase: opts.phase ?? 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: opts.readySince ?? '2026-01-01T00:00:10Z' }],
    },
  };
}
