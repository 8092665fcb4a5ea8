import { isApiError, type KubeObject } from '../api/index.js';
import { DEFAULT_SERVICE_CIDR, SYSTEM_PRIORITY_CLASSES, type Handler, type UserInfo } from '../registry/index.js';

const SYSTEM: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };

/** Namespaces every cluster has (kubeadm's set). */
export const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The `kubernetes` Service in default: the API's first service IP, port 443 → the API port. */
export function kubernetesService(apiPort: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }],
      sessionAffinity: 'None',
    },
  };
}

/**
 * The default ServiceCIDR, as a 1.33 API server keeps it: named "kubernetes", the default service
 * range, Ready (nothing else would set its status: upstream's API server does it itself too).
 */
export function kubernetesServiceCIDR(cidr: string, now: Date): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'ServiceCIDR',
    metadata: { name: 'kubernetes' },
    spec: { cidrs: [cidr] },
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'), reason: '', message: 'Kubernetes Service CIDR is ready' }] },
  };
}

async function createIfMissing(handler: Handler, resource: string, namespace: string | undefined, body: KubeObject, group = ''): Promise<void> {
  // A restart finds every object: a read is far cheaper than a create that validates the whole
  // object (and loads the OpenAPI schemas for the unknown-field check) only to fail AlreadyExists.
  const name = body.metadata!.name!;
  const gv = { group, version: 'v1', resource, namespace };
  try {
    await handler.handle({ user: SYSTEM, ...gv, name, verb: 'get', params: {} });
    return;
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
  }
  try {
    await handler.handle({ user: SYSTEM, ...gv, verb: 'create', body, params: { fieldManager: 'kplane-bootstrap' } });
  } catch (err) {
    if (!isApiError(err, 'AlreadyExists')) throw err;
  }
}

/**
 * Creates the objects every cluster starts with, idempotently (a restart finds them and moves on).
 * They go through the same verb pipeline as any client write.
 */
export async function bootstrap(handler: Handler, apiPort: number): Promise<void> {
  for (const name of BOOTSTRAP_NAMESPACES) {
    await createIfMissing(handler, 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  await createIfMissing(handler, 'services', 'default', kubernetesService(apiPort));
  for (const [name, pc] of Object.entries(SYSTEM_PRIORITY_CLASSES)) {
    const body = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: pc.value, description: pc.description, preemptionPolicy: 'PreemptLowerPriority' };
    await createIfMissing(handler, 'priorityclasses', undefined, body, 'scheduling.k8s.io');
  }
  await ensureServiceCIDR(handler, kubernetesServiceCIDR(DEFAULT_SERVICE_CIDR, new Date()));
}

/** Creates the default ServiceCIDR if missing, then sets its Ready status (a create clears status). */
async function ensureServiceCIDR(handler: Handler, want: KubeObject): Promise<void> {
  const gv = { user: SYSTEM, group: 'networking.k8s.io', version: 'v1', resource: 'servicecidrs', name: want.metadata!.name! };
  await createIfMissing(handler, gv.resource, undefined, want, gv.group);
  const cur = (await handler.handle({ ...gv, verb: 'get', params: {} })).body as KubeObject;
  const conditions = (cur.status as { conditions?: { type?: string }[] } | undefined)?.conditions ?? [];
  if (conditions.some((c) => c.type === 'Ready')) return;
  try {
    await handler.handle({ ...gv, subresource: 'status', verb: 'update', body: { ...cur, status: want.status }, params: { fieldManager: 'kplane-bootstrap' } });
  } catch (err) {
    if (!isApiError(err, 'Conflict')) throw err; // another node set it first
  }
}
