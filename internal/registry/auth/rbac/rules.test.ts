import { describe, expect, it } from 'vitest';
import type { AuthorizationAttributes } from '../../request.js';
import { ruleAllows, ruleString, uncoveredRules, type PolicyRule } from './rules.js';

const user = { name: 'u', groups: [] };
const res = (verb: string, group: string, resource: string, extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes => ({ user, verb, group, version: 'v1', resource, ...extra });
const url = (verb: string, path: string): AuthorizationAttributes => ({ user, verb, group: '', version: '', resource: '', path });

describe('ruleAllows', () => {
  const cases: [string, PolicyRule, AuthorizationAttributes, boolean][] = [
    ['exact', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', '', 'pods'), true],
    ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('list', '', 'pods'), false],
    ['other group', { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, res('get', '', 'pods'), false],
    ['wildcards', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, res('delete', 'apps', 'deployments', { subresource: 'scale' }), true],
    ['subresource needs its own entry', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', '', 'pods', { subresource: 'log' }), false],
    ['pods/log', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', '', 'pods', { subresource: 'log' }), true],
    ['*/scale', { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }, res('get', 'apps', 'deployments', { subresource: 'scale' }), true],
    ['pods/*', { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }, res('get', '', 'pods', { subresource: 'exec' }), true],
    ['pods/* not the parent', { verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }, res('get', '', 'pods'), false],
    ['resourceNames match', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('get', '', 'configmaps', { name: 'a' }), true],
    ['resourceNames miss', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('get', '', 'configmaps', { name: 'b' }), false],
    ['resourceNames need a name (list)', { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('list', '', 'configmaps'), false],
    ['url exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, url('get', '/healthz'), true],
    ['url prefix', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, url('get', '/apis/apps/v1'), true],
    ['url prefix is not the root', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, url('get', '/apis'), false],
    ['resource rule never grants a url', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, url('get', '/api'), false],
    ['url rule never grants a resource', { verbs: ['*'], nonResourceURLs: ['*'] }, res('get', '', 'pods'), false],
  ];
  it.each(cases)('%s', (_n, rule, attrs, want) => expect(ruleAllows(rule, attrs)).toBe(want));
});

describe('uncoveredRules (escalation check)', () => {
  const view: PolicyRule[] = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'configmaps'] }];
  it('a subset is covered', () => {
    expect(uncoveredRules(view, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])).toEqual([]);
  });
  it('lists each missing grant', () => {
    expect(uncoveredRules(view, [{ verbs: ['get', 'create'], apiGroups: [''], resources: ['pods'] }])).toEqual([{ verbs: ['create'], apiGroups: [''], resources: ['pods'] }]);
  });
  it('a wildcard request needs a wildcard', () => {
    expect(uncoveredRules(view, [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }])).toHaveLength(1);
    expect(uncoveredRules([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])).toEqual([]);
  });
  it('resourceNames narrow what must be held', () => {
    const owner: PolicyRule[] = [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }];
    expect(uncoveredRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }])).toEqual([]);
    expect(uncoveredRules(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }])).toHaveLength(1);
  });
  it('renders as upstream', () => {
    expect(ruleString({ verbs: ['create'], apiGroups: [''], resources: ['pods'] })).toBe('{APIGroups:[""], Resources:["pods"], Verbs:["create"]}');
  });
});
