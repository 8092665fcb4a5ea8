import { describe, expect, it } from 'vitest';
import type { Authorizer } from '../registry/index.js';
import { impersonate } from './impersonation.js';

const alice = { name: 'alice', groups: ['system:authenticated'] };
// alice may impersonate user bob and group dev only.
const authz: Authorizer = {
  authorize: async (a) => ({ allowed: a.verb === 'impersonate' && ((a.resource === 'users' && a.name === 'bob') || (a.resource === 'groups' && a.name === 'dev')) }),
};

describe('impersonation', () => {
  it('acts as the named user with the asked groups plus system:authenticated', async () => {
    expect(await impersonate({ 'impersonate-user': 'bob', 'impersonate-group': ['dev'] }, alice, authz)).toEqual({ name: 'bob', groups: ['dev', 'system:authenticated'] });
  });
  it('refuses with upstream message', async () => {
    await expect(impersonate({ 'impersonate-user': 'carol' }, alice, authz)).rejects.toThrow(
      'users "carol" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    await expect(impersonate({ 'impersonate-user': 'bob', 'impersonate-group': 'system:masters' }, alice, authz)).rejects.toThrow('cannot impersonate resource "groups"');
  });
  it('a service account name is checked against serviceaccounts and gets its groups', async () => {
    const all: Authorizer = { authorize: async (a) => ({ allowed: a.resource === 'serviceaccounts' && a.namespace === 'ns' && a.name === 'sa' }) };
    expect(await impersonate({ 'impersonate-user': 'system:serviceaccount:ns:sa' }, alice, all)).toEqual({
      name: 'system:serviceaccount:ns:sa',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
    });
  });
  it('groups without a user are a bad request', async () => {
    await expect(impersonate({ 'impersonate-group': 'dev' }, alice, authz)).rejects.toMatchObject({ code: 400 });
  });
});
