// internal/registry/admission: upstream's built-in admission plugins after NamespaceLifecycle,
// mutating then validating in the one verb pipeline: ServiceAccount, LimitRanger, Priority,
// DefaultStorageClass, PodSecurity, NodeRestriction, ValidatingAdmissionPolicy, the admission
// webhooks, ResourceQuota (with the quota status writer).
import { isApiError, type KubeObject } from '../../api/index.js';
import { jsonEqual } from '../../util/index.js';
import type { AuthzCheck } from '../../cel/index.js';
import type { AdmissionPlugin } from '../admission.js';
import type { ResourceDefinition } from '../definition.js';
import type { Authorizer, Handler, ResourceCatalog } from '../request.js';
import type { UserInfo } from '../strategy.js';
import { limitRanger } from './limitranger.js';
import { defaultStorageClass, nodeRestriction, priorityAdmission } from './pod-defaults.js';
import { serviceAccountAdmission } from './serviceaccount.js';
import { podSecurity } from './podsecurity.js';
import { quotaStatus, resourceQuota } from './resourcequota.js';
import type { Loose } from './lookup.js';
import { validatingAdmissionPolicy } from './policy/index.js';
import { webhookAdmission } from './webhook/index.js';

export { applyLimitRanges } from './limitranger.js';
export { podSecurityViolations } from './podsecurity-checks.js';
export { usageOf, quotaStatus } from './resourcequota.js';

const APISERVER: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };
type Ref = { group: string; version: string; resource: string };
const SERVICEACCOUNTS: Ref = { group: '', version: 'v1', resource: 'serviceaccounts' };

/** Versions of the groups a quota may count (count/<plural>.<group>). */
const GROUP_VERSIONS: Record<string, string> = { '': 'v1', apps: 'v1', batch: 'v1', 'networking.k8s.io': 'v1', 'policy': 'v1', 'rbac.authorization.k8s.io': 'v1', 'storage.k8s.io': 'v1', autoscaling: 'v2', 'coordination.k8s.io': 'v1', 'discovery.k8s.io': 'v1' };

/**
 * The admission plugins, reading through `handler` as the apiserver from the watch cache (the
 * handler is bound after the registry exists, hence the getter).
 */
export function builtinAdmission(
  handler: () => Handler | undefined,
  log?: (msg: string, fields: Record<string, unknown>) => void,
  catalog?: () => ResourceCatalog | undefined,
  authorizer?: Authorizer,
): AdmissionPlugin[] {
  const list = async (ref: Ref, namespace?: string): Promise<KubeObject[]> => {
    const h = handler();
    if (!h) return [];
    const res = await h.handle({ user: APISERVER, ...ref, namespace, verb: 'list', params: { resourceVersion: '0' } });
    return (res.body as { items: KubeObject[] }).items;
  };
  /** From the watch cache, or with `consistent` from storage. */
  const get = async (ref: Ref, namespace: string | undefined, name: string, consistent = false): Promise<KubeObject | undefined> => {
    const h = handler();
    if (!h) return undefined;
    try {
      return (await h.handle({ user: APISERVER, ...ref, namespace, name, verb: 'get', params: consistent ? {} : { resourceVersion: '0' } })).body as KubeObject;
    } catch (err) {
      if (isApiError(err, 'NotFound')) return undefined;
      throw err;
    }
  };
  /** A consistent read (not the watch cache): after a conflict the quota must be the stored one. */
  const latest = async (ref: Ref, namespace?: string): Promise<KubeObject[]> => {
    const h = handler();
    if (!h) return [];
    return ((await h.handle({ user: APISERVER, ...ref, namespace, verb: 'list', params: {} })).body as { items: KubeObject[] }).items;
  };
  const reserveQuota = async (q: KubeObject, used: Loose): Promise<'ok' | 'conflict'> => {
    const h = handler();
    if (!h) return 'ok';
    const hard = ((q.spec as Loose | undefined)?.hard ?? {}) as Loose;
    try {
      await h.handle({ user: APISERVER, group: '', version: 'v1', resource: 'resourcequotas', namespace: q.metadata.namespace, name: q.metadata.name, subresource: 'status', verb: 'update', body: { ...q, status: { hard, used } }, params: {}, userAgent: 'kube-apiserver' });
      return 'ok';
    } catch (err) {
      if (isApiError(err, 'Conflict')) return 'conflict';
      throw err;
    }
  };
  const pending = new Map<string, NodeJS.Timeout>();
  const refresh = (namespace: string) => {
    if (pending.has(namespace)) return;
    const t = setTimeout(() => {
      pending.delete(namespace);
      void writeQuotaStatus(namespace).catch(() => undefined); // the next write in the namespace retries
    }, 200);
    t.unref?.();
    pending.set(namespace, t);
  };
  const writeQuotaStatus = async (namespace: string) => {
    const h = handler();
    if (!h) return;
    for (const q of await list({ group: '', version: 'v1', resource: 'resourcequotas' }, namespace)) {
      const hard = ((q.spec as Loose | undefined)?.hard ?? {}) as Loose;
      const objects = [{ group: '', plural: 'pods', items: await list({ group: '', version: 'v1', resource: 'pods' }, namespace) }];
      for (const name of Object.keys(hard)) {
        const m = /^count\/([^.]+)(?:\.(.+))?$/.exec(name) ?? (['services', 'configmaps', 'secrets', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas'].includes(name) ? [name, name, ''] : null);
        if (!m) continue;
        const group = m[2] ?? '';
        const version = GROUP_VERSIONS[group];
        if (!version) continue;
        objects.push({ group, plural: m[1]!, items: await list({ group, version, resource: m[1]! }, namespace).catch(() => []) });
      }
      const status = quotaStatus(q, objects);
      if (jsonEqual(status, q.status)) continue;
      try {
        await h.handle({ user: APISERVER, group: '', version: 'v1', resource: 'resourcequotas', namespace, name: q.metadata.name, subresource: 'status', verb: 'update', body: { ...q, status }, params: {}, userAgent: 'kube-controller-manager' });
      } catch (err) {
        if (isApiError(err, 'Conflict')) refresh(namespace);
      }
    }
  };
  /** The CEL `authorizer` variable's checks, answered by the API server's authorizer. */
  const authorize = authorizer && (async (c: AuthzCheck) => {
    const user = { name: c.user, groups: c.groups };
    const attrs = c.path !== undefined ? { user, verb: c.verb, group: '', version: '', resource: '', path: c.path } : { user, verb: c.verb, group: c.group ?? '', version: '*', resource: c.resource ?? '', subresource: c.subresource || undefined, namespace: c.namespace || undefined, name: c.name || undefined };
    return authorizer.authorize(attrs);
  });
  const equivalents = (def: ResourceDefinition) => (catalog?.()?.definitions() ?? []).filter((d) => d.group === def.group && d.plural === def.plural && d.version !== def.version);
  return [
    serviceAccountAdmission({ cached: (ns, name) => get(SERVICEACCOUNTS, ns, name), latest: (ns, name) => get(SERVICEACCOUNTS, ns, name, true) }),
    limitRanger(list),
    priorityAdmission(get, (ref) => list(ref)),
    defaultStorageClass((ref) => list(ref)),
    podSecurity((name) => get({ group: '', version: 'v1', resource: 'namespaces' }, undefined, name)),
    nodeRestriction(get),
    validatingAdmissionPolicy({
      policies: () => list({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicies' }),
      bindings: () => list({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingadmissionpolicybindings' }),
      getNamespace: (name) => get({ group: '', version: 'v1', resource: 'namespaces' }, undefined, name),
      equivalents,
      authorize,
      params: {
        resolve(paramKind) {
          const [group, version] = (paramKind.apiVersion ?? '').includes('/') ? paramKind.apiVersion!.split('/') : ['', paramKind.apiVersion ?? ''];
          const def = catalog?.()?.definitions().find((d) => d.group === group && d.version === version && d.kind === paramKind.kind);
          if (!def) return undefined;
          return { namespaced: def.namespaced, list: (namespace) => list({ group: def.group, version: def.version, resource: def.plural }, namespace) };
        },
      },
    }),
    webhookAdmission({
      configurations: (kind) => list({ group: 'admissionregistration.k8s.io', version: 'v1', resource: `${kind}webhookconfigurations` }),
      getNamespace: (name) => get({ group: '', version: 'v1', resource: 'namespaces' }, undefined, name),
      equivalents,
      authorize,
      endpointsOf: async (ns, name) => ({ service: await get({ group: '', version: 'v1', resource: 'services' }, ns, name), endpoints: await get({ group: '', version: 'v1', resource: 'endpoints' }, ns, name) }),
      log,
    }),
    resourceQuota(list, refresh, reserveQuota, latest),
  ];
}
