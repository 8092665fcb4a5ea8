import { isApiError, type KubeObject } from '../../../api/index.js';
import type { Handler } from '../../request.js';
import type { UserInfo } from '../../strategy.js';
import { jsonEqual } from '../../../util/index.js';
import type { RbacIndex } from './index-store.js';
import { defaultClusterRoleBindings, defaultClusterRoles, defaultRoleBindings, defaultRoles } from './policy.js';
import type { PolicyRule } from './rules.js';

const APISERVER: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };
const RBAC_GV = { group: 'rbac.authorization.k8s.io', version: 'v1' };
const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';

type Resource = 'clusterroles' | 'clusterrolebindings' | 'roles' | 'rolebindings';

const unionBy = <T>(have: T[], want: T[]): T[] => {
  const out = [...have];
  for (const w of want) if (!out.some((h) => jsonEqual(h, w))) out.push(w);
  return out;
};

/**
 * What reconciling changes in a stored default object (upstream's reconcile on start): nothing when
 * its autoupdate annotation is "false"; otherwise the default's missing rules, subjects, labels and
 * aggregation selectors are added, and nothing the user added is taken away. Undefined: no change.
 */
export function reconciled(resource: Resource, stored: KubeObject, want: KubeObject): KubeObject | undefined {
  if (stored.metadata.annotations?.[AUTOUPDATE] === 'false') return undefined;
  const next: KubeObject = { ...stored, metadata: { ...stored.metadata, labels: { ...want.metadata.labels, ...stored.metadata.labels }, annotations: { ...want.metadata.annotations, ...stored.metadata.annotations } } };
  if (resource === 'clusterroles' || resource === 'roles') {
    if (!want.aggregationRule) next.rules = unionBy((stored.rules as unknown[]) ?? [], (want.rules as unknown[]) ?? []);
    if (want.aggregationRule) {
      const have = ((stored.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined)?.clusterRoleSelectors ?? []) as unknown[];
      const add = (want.aggregationRule as { clusterRoleSelectors: unknown[] }).clusterRoleSelectors;
      next.aggregationRule = { clusterRoleSelectors: unionBy(have, add) };
    }
  } else {
    next.subjects = unionBy((stored.subjects as unknown[]) ?? [], (want.subjects as unknown[]) ?? []);
  }
  return jsonEqual(next, stored) ? undefined : next;
}

async function ensure(handler: Handler, resource: Resource, want: KubeObject): Promise<void> {
  const namespace = want.metadata.namespace;
  const base = { user: APISERVER, ...RBAC_GV, resource, namespace, userAgent: 'kube-apiserver' };
  let stored: KubeObject | undefined;
  try {
    stored = (await handler.handle({ ...base, verb: 'get', name: want.metadata.name, params: {} })).body as KubeObject;
  } catch (err) {
    if (!isApiError(err, 'NotFound')) throw err;
  }
  try {
    if (!stored) {
      await handler.handle({ ...base, verb: 'create', body: want, params: { fieldManager: 'kube-apiserver' } });
      return;
    }
    const next = reconciled(resource, stored, want);
    if (next) await handler.handle({ ...base, verb: 'update', name: want.metadata.name, body: next, params: { fieldManager: 'kube-apiserver' } });
  } catch (err) {
    // Another node reconciles at the same time: its result is the same.
    if (!isApiError(err, 'AlreadyExists') && !isApiError(err, 'Conflict')) throw err;
  }
}

/** Creates upstream's default roles and bindings, or brings stored ones up to date (every start). */
export async function reconcileDefaultPolicy(handler: Handler): Promise<void> {
  // All at once: the objects are independent, and concurrent writes share Raft entries and fsyncs
  // (one at a time, a first start spent seconds on ~80 sequential writes).
  const all: [Resource, KubeObject][] = [
    ...defaultClusterRoles().map((o) => ['clusterroles', o] as [Resource, KubeObject]),
    ...defaultClusterRoleBindings().map((o) => ['clusterrolebindings', o] as [Resource, KubeObject]),
    ...defaultRoles().map((o) => ['roles', o] as [Resource, KubeObject]),
    ...defaultRoleBindings().map((o) => ['rolebindings', o] as [Resource, KubeObject]),
  ];
  await Promise.all(all.map(([r, o]) => ensure(handler, r, o)));
}

/**
 * The clusterrole-aggregation controller: writes each aggregated ClusterRole's rules (the union of
 * the ClusterRoles its selectors match) into the stored object, so `kubectl get clusterrole admin
 * -o yaml` shows them. The authorizer never waits for this: it resolves aggregation itself.
 */
export function runAggregation(handler: Handler, index: RbacIndex, signal: AbortSignal, onError: (err: unknown) => void): void {
  let timer: NodeJS.Timeout | undefined;
  const sync = async () => {
    timer = undefined;
    for (const role of index.clusterRoles()) {
      if (!role.aggregationRule) continue;
      const rules: PolicyRule[] = index.clusterRoleRules(role);
      const deduped = unionBy<PolicyRule>([], rules);
      if (jsonEqual(deduped, role.rules ?? [])) continue;
      try {
        await handler.handle({ user: APISERVER, ...RBAC_GV, resource: 'clusterroles', verb: 'update', name: role.metadata.name, body: { ...role, rules: deduped }, params: { fieldManager: 'clusterrole-aggregation-controller' }, userAgent: 'kube-controller-manager' });
      } catch (err) {
        if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) onError(err);
      }
    }
  };
  const off = index.onChange((resource) => {
    if (resource !== 'clusterroles' || signal.aborted || timer) return;
    timer = setTimeout(() => void sync(), 100);
  });
  signal.addEventListener('abort', () => {
    off();
    if (timer) clearTimeout(timer);
  });
  timer = setTimeout(() => void sync(), 100);
}
