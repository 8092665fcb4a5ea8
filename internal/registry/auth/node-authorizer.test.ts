import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import type { AuthorizationAttributes } from '../request.js';
import { nodeAuthorizer } from './node-authorizer.js';
import { defaultClusterRoles } from './rbac/policy.js';
import type { PolicyRule } from './rbac/rules.js';

const rules = defaultClusterRoles().find((r) => r.metadata.name === 'system:node')!.rules as PolicyRule[];
const pod: KubeObject = {
  metadata: { name: 'p', namespace: 'ns' },
  spec: { nodeName: 'n1', serviceAccountName: 'web', volumes: [{ name: 'v', secret: { secretName: 'tls' } }], containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] }] },
};
const authz = nodeAuthorizer(rules, async (node) => (node === 'n1' ? [pod] : []));
const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const req = (verb: string, resource: string, extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes => ({ user: n1, verb, group: '', version: 'v1', resource, ...extra });

describe('Node authorizer', () => {
  it.each([
    ['secret its pod mounts', req('get', 'secrets', { namespace: 'ns', name: 'tls' }), 'allow'],
    ['configmap its pod uses', req('get', 'configmaps', { namespace: 'ns', name: 'cfg' }), 'allow'],
    ['another secret', req('get', 'secrets', { namespace: 'ns', name: 'db' }), 'no-opinion'],
    ['listing secrets', req('list', 'secrets', { namespace: 'ns' }), 'no-opinion'],
    ['token for its pod’s service account', req('create', 'serviceaccounts', { namespace: 'ns', name: 'web', subresource: 'token' }), 'allow'],
    ['token for another service account', req('create', 'serviceaccounts', { namespace: 'ns', name: 'admin', subresource: 'token' }), 'no-opinion'],
    ['its own lease', req('update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n1' }), 'allow'],
    ['another node’s lease', req('update', 'leases', { group: 'coordination.k8s.io', namespace: 'kube-node-lease', name: 'n2' }), 'no-opinion'],
    ['pod status (node rules)', req('patch', 'pods', { namespace: 'ns', name: 'p', subresource: 'status' }), 'allow'],
    ['deleting a deployment', req('delete', 'deployments', { group: 'apps', namespace: 'ns', name: 'd' }), 'no-opinion'],
  ])('%s', async (_n, attrs, want) => expect((await authz.decide(attrs)).decision).toBe(want));

  it('has no opinion on users that are not nodes', async () => {
    expect((await authz.decide({ ...req('get', 'nodes'), user: { name: 'system:node:n1', groups: [] } })).decision).toBe('no-opinion');
  });
});
