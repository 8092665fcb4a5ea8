import type { KubeObject } from '../../api/index.js';
import type { AdmissionPlugin } from '../admission.js';
import { admissionForbidden, isPod, podContainers, type Loose } from './lookup.js';

type Getter = (namespace: string, name: string) => Promise<KubeObject | undefined>;

const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const DEFAULT = 'default';

/** The projected volume upstream's ServiceAccount plugin adds: token, cluster CA, namespace. */
export function tokenVolume(name: string): Loose {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

export interface ServiceAccountLookup {
  /** A read from the watch cache (may lag a just-made write). */
  cached: Getter;
  /** A consistent read from storage. */
  latest: Getter;
  /** Waits between reads of a missing `default` account (injected so tests need no timers). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * How long a missing `default` account is waited for. Upstream reads it up to 10 times
   * 100-200 ms apart (the serviceaccount controller creates it just after its namespace);
   * kplane's controllers start with the server in the same process, so right after a start on a
   * loaded machine the account can be later than that: the wait is longer, still bounded.
   */
  defaultWaitMs?: number;
}

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/**
 * Upstream's lookup: the cache, then storage; for `default` storage again every 100-200 ms
 * (one random interval per lookup) until it appears or the wait is over. undefined = not found.
 */
export async function findServiceAccount(l: ServiceAccountLookup, namespace: string, name: string): Promise<KubeObject | undefined> {
  const found = await l.cached(namespace, name);
  if (found) return found;
  const random = l.random ?? Math.random;
  const interval = 100 + Math.floor(random() * 100);
  const attempts = name === DEFAULT ? Math.max(1, Math.ceil((l.defaultWaitMs ?? 5000) / interval)) : 1;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await (l.sleep ?? sleeper)(interval);
    const sa = await l.latest(namespace, name);
    if (sa) return sa;
  }
  return undefined;
}

/**
 * ServiceAccount: a pod runs as "default" unless it names a service account, which must exist
 * (403 `error looking up service account ns/name: serviceaccount "name" not found`, as upstream;
 * see findServiceAccount for the just-created-namespace race). Unless the pod or the account opts
 * out (automountServiceAccountToken: false), the token volume `kube-api-access-<random>` is added
 * and mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container.
 * Mirror pods are left alone.
 */
export function serviceAccountAdmission(lookup: ServiceAccountLookup): AdmissionPlugin {
  const random = lookup.random ?? Math.random;
  return {
    name: 'ServiceAccount',
    async admit(a) {
      if (!isPod(a) || a.operation !== 'CREATE' || !a.object || !a.namespace) return;
      const spec = (a.object.spec ??= {}) as Loose;
      spec.serviceAccountName ||= spec.serviceAccount || DEFAULT;
      spec.serviceAccount = spec.serviceAccountName;
      if (a.object.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
      const sa = (await findServiceAccount(lookup, a.namespace, spec.serviceAccountName)) as Loose | undefined;
      if (!sa) {
        throw admissionForbidden(a, `error looking up service account ${a.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
      }
      if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s: Loose) => ({ name: s.name }));
      if (!(spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true)) return;
      const containers = podContainers(spec);
      if (containers.some((c) => (c.volumeMounts ?? []).some((m: Loose) => m.mountPath === SA_MOUNT))) return;
      const suffix = Array.from({ length: 5 }, () => 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(random() * 27)]).join('');
      const name = `kube-api-access-${suffix}`;
      spec.volumes = [...(spec.volumes ?? []), tokenVolume(name)];
      for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: SA_MOUNT }];
    },
  };
}
