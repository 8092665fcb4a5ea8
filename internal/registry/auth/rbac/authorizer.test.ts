import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/index.js';
import type { AuthorizationAttributes } from '../../request.js';
import { privilegedGroupAuthorizer, rbacAuthorizer, unionAuthorizer } from './authorizer.js';
import { RbacIndex } from './index-store.js';
import { defaultClusterRoleBindings, defaultClusterRoles } from './policy.js';
import { reconciled } from './reconcile.js';

function seeded(extra: { resource: 'rolebindings' | 'clusterrolebindings' | 'roles'; obj: KubeObject }[] = []): RbacIndex {
  const index = new RbacIndex();
  for (const r of defaultClusterRoles()) index.put('clusterroles', r);
  for (const b of defaultClusterRoleBindings()) index.put('clusterrolebindings', b);
  for (const e of extra) index.put(e.resource, e.obj);
  return index;
}

const binding = (ns: string, name: string, roleKind: string, role: string, subjects: object[]): KubeObject => ({
  metadata: { name, namespace: ns },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: role },
  subjects,
});

const bot = { name: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] };
const at = (user: AuthorizationAttributes['user'], verb: string, resource: string, namespace?: string, extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes => ({
  user,
  verb,
  group: '',
  version: 'v1',
  resource,
  ...(namespace ? { namespace } : {}),
  ...extra,
});

describe('RBAC over the default policy', () => {
  const index = seeded([{ resource: 'rolebindings', obj: binding('team', 'bot-view', 'ClusterRole', 'view', [{ kind: 'ServiceAccount', name: 'bot' }]) }]);
  const authz = unionAuthorizer([privilegedGroupAuthorizer, rbacAuthorizer(index)]);

  it('view (aggregated from system:aggregate-to-view) lists pods in its namespace only, and never creates', async () => {
    expect((await authz.authorize(at(bot, 'list', 'pods', 'team'))).allowed).toBe(true);
    expect((await authz.authorize(at(bot, 'create', 'pods', 'team'))).allowed).toBe(false);
    expect((await authz.authorize(at(bot, 'list', 'pods', 'other'))).allowed).toBe(false);
    expect((await authz.authorize(at(bot, 'get', 'secrets', 'team', { name: 's' }))).allowed).toBe(false);
  });

  it('every authenticated user has discovery and the self reviews; anonymous only health and version', async () => {
    expect((await authz.authorize({ user: bot, verb: 'get', group: '', version: '', resource: '', path: '/apis/apps/v1' })).allowed).toBe(true);
    expect((await authz.authorize(at(bot, 'create', 'selfsubjectaccessreviews', undefined, { group: 'authorization.k8s.io' }))).allowed).toBe(true);
    const anon = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    expect((await authz.authorize({ user: anon, verb: 'get', group: '', version: '', resource: '', path: '/version' })).allowed).toBe(true);
    expect((await authz.authorize({ user: anon, verb: 'get', group: '', version: '', resource: '', path: '/api' })).allowed).toBe(false);
  });

  it('system:masters may do anything; the controllers hold their upstream roles', async () => {
    expect((await authz.authorize(at({ name: 'x', groups: ['system:masters'] }, 'delete', 'nodes'))).allowed).toBe(true);
    const rs = { name: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] };
    expect((await authz.authorize(at(rs, 'create', 'pods', 'default'))).allowed).toBe(true);
    expect((await authz.authorize(at(rs, 'delete', 'nodes'))).allowed).toBe(false);
    const sched = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
    expect((await authz.authorize(at(sched, 'create', 'pods', 'default', { subresource: 'binding' }))).allowed).toBe(true);
  });

  it('a change to the bindings takes effect at once (the per-user cache is dropped)', async () => {
    const idx = seeded();
    const a = rbacAuthorizer(idx);
    expect((await a.decide(at(bot, 'list', 'pods', 'team'))).decision).toBe('no-opinion');
    idx.put('rolebindings', binding('team', 'b', 'ClusterRole', 'view', [{ kind: 'ServiceAccount', name: 'bot', namespace: 'team' }]));
    expect((await a.decide(at(bot, 'list', 'pods', 'team'))).decision).toBe('allow');
    idx.delete('rolebindings', { metadata: { name: 'b', namespace: 'team' } });
    expect((await a.decide(at(bot, 'list', 'pods', 'team'))).decision).toBe('no-opinion');
  });

  it('a Role binding grants only that Role', async () => {
    const idx = seeded([
      { resource: 'roles', obj: { metadata: { name: 'cm', namespace: 'team' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }] } },
      { resource: 'rolebindings', obj: binding('team', 'cm', 'Role', 'cm', [{ kind: 'User', name: 'alice' }]) },
    ]);
    const alice = { name: 'alice', groups: ['system:authenticated'] };
    expect((await rbacAuthorizer(idx).decide(at(alice, 'get', 'configmaps', 'team', { name: 'x' }))).decision).toBe('allow');
    expect((await rbacAuthorizer(idx).decide(at(alice, 'get', 'secrets', 'team', { name: 'x' }))).decision).toBe('no-opinion');
  });
});

describe('reconciling a stored default', () => {
  const want = defaultClusterRoles().find((r) => r.metadata.name === 'system:basic-user')!;
  it('adds missing rules and keeps what a user added', () => {
    const stored = { ...want, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
    const next = reconciled('clusterroles', stored, want)!;
    expect(next.rules).toHaveLength(1 + (want.rules as unknown[]).length);
  });
  it('leaves alone an object whose autoupdate annotation is "false", and an unchanged one', () => {
    expect(reconciled('clusterroles', { ...want, rules: [], metadata: { ...want.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } }, want)).toBeUndefined();
    expect(reconciled('clusterroles', want, want)).toBeUndefined();
  });
});
