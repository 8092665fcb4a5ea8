import { describe, expect, it } from 'vitest';
import { pluginIdentity } from './identity.js';

describe('pluginIdentity', () => {
  const cases: [string, string[], string[]][] = [
    ['system:serviceaccount:kube-system:deployment-controller', [], ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated']],
    ['system:node:hollow-1', ['system:nodes', 'system:authenticated'], ['system:nodes', 'system:authenticated']],
    ['system:kube-scheduler', [], ['system:authenticated']],
    ['system:kube-controller-manager', [], ['system:authenticated']],
    ['system:kplane:apiextensions-controller', [], ['system:masters', 'system:authenticated']],
    ['system:apiserver', [], ['system:masters', 'system:authenticated']],
    ['alice', ['team'], ['team', 'system:authenticated']],
  ];
  it.each(cases)('%s %j → %j', (name, extra, groups) => {
    expect(pluginIdentity(name, extra)).toEqual({ name, groups });
  });

  it('never makes an upstream identity a superuser', () => {
    for (const name of ['system:kube-scheduler', 'system:serviceaccount:kube-system:x', 'system:node:n']) expect(pluginIdentity(name).groups).not.toContain('system:masters');
  });
});
