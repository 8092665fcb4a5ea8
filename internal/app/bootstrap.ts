import { isApiError, type KubeObject } from '../api/index.js';
import type { Handler, UserInfo } from '../registry/index.js';

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

async function createIfMissing(handler: Handler, resource: string, namespace: string | undefined, body: KubeObject): Promise<void> {
  // A restart finds every object: a read is far cheaper than a create that validates the whole
  // object (and loads the OpenAPI schemas for the unknown-field check) only to fail AlreadyExists.
  const name = body.metadata!.name!;
  try {
    await handler.handle({ user: SYSTEM, group: '', version: 'v1', resource, namespace, name, verb: 'get', params: {} });
    return;
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
  }
  try {
    await handler.handle({ user: SYSTEM, group: '', version: 'v1', resource, namespace, verb: 'create', body, params: { fieldManager: 'kplane-bootstrap' } });
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
}
