import { isApiError, type KubeObject } from '../api/index.js';
import type { ComponentHealth, ComponentProbe, Handler } from '../registry/index.js';
import { holderNode } from './plugin-status.js';

/** kube-apiserver's message for a healthy etcd server. */
const ETCD_OK = '{"health":"true","reason":""}';

/**
 * A leader-elected component's health from its Lease: kube-apiserver asks the local scheduler's and
 * controller manager's /healthz; kplane's run as plugins on whichever node holds their Lease, so a
 * component is healthy while some node holds the Lease and keeps renewing it.
 */
export function leaseHealth(name: string, leaseName: string, lease: KubeObject | undefined, now: number): ComponentHealth {
  const spec = (lease?.spec ?? {}) as { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
  if (!lease) return { name, healthy: false, error: `no node has run it yet (no Lease kube-system/${leaseName})` };
  if (!spec.holderIdentity) return { name, healthy: false, error: `no node holds the Lease kube-system/${leaseName}` };
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : NaN;
  const expires = renewed + (spec.leaseDurationSeconds ?? 0) * 1000;
  if (!(expires > now)) {
    return { name, healthy: false, error: `the Lease kube-system/${leaseName} held by ${holderNode(spec.holderIdentity)} expired at ${new Date(Number.isNaN(expires) ? 0 : expires).toISOString()}` };
  }
  return { name, healthy: true, message: 'ok' };
}

/** The datastore's members in kube-apiserver's naming (etcd-0, etcd-1, ...). */
export function storageHealth(members: Array<{ healthy: boolean; error?: string }>): ComponentHealth[] {
  return members.map((m, i) => (m.healthy ? { name: `etcd-${i}`, healthy: true, message: ETCD_OK } : { name: `etcd-${i}`, healthy: false, error: m.error ?? 'unhealthy' }));
}

export interface ComponentProbeDeps {
  /** Reads a Lease of kube-system; undefined when it does not exist. */
  lease(name: string): Promise<KubeObject | undefined>;
  /** One entry per datastore member this server talks to. */
  storage(): Promise<Array<{ healthy: boolean; error?: string }>>;
  now(): number;
}

/** What `kubectl get componentstatuses` shows: scheduler, controller-manager, then the datastore. */
export function componentProbe(deps: ComponentProbeDeps): ComponentProbe {
  return async () => {
    const [scheduler, kcm, storage] = await Promise.all([deps.lease('kube-scheduler'), deps.lease('kube-controller-manager'), deps.storage()]);
    const now = deps.now();
    return [leaseHealth('scheduler', 'kube-scheduler', scheduler, now), leaseHealth('controller-manager', 'kube-controller-manager', kcm, now), ...storageHealth(storage)];
  };
}

/** A Lease of kube-system from the watch cache, as the apiserver itself. */
export async function readLease(handler: () => Handler, name: string): Promise<KubeObject | undefined> {
  try {
    const res = await handler().handle({
      user: { name: 'system:apiserver', groups: ['system:masters'] },
      group: 'coordination.k8s.io',
      version: 'v1',
      resource: 'leases',
      namespace: 'kube-system',
      name,
      verb: 'get',
      params: { resourceVersion: '0' },
    });
    return res.body as KubeObject;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}
