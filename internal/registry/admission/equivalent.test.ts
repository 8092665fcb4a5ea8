import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import type { AdmissionAttributes } from '../admission.js';
import type { ResourceDefinition } from '../definition.js';
import { validatingAdmissionPolicy } from './policy/index.js';
import { matchWithPolicy, mergeBack, asVersion } from './equivalent.js';
import { ruleMatches } from './webhook/index.js';

const def = (version: string, convert?: ResourceDefinition['convert']) => ({ group: 'stable.example.com', version, plural: 'crontabs', kind: 'CronTab', namespaced: true, convert }) as unknown as ResourceDefinition;
// v2 renames spec.cron to spec.schedule; storage holds v1's shape.
const v1 = def('v1', { toStored: (o) => o, fromStored: (o) => o });
const v2 = def('v2', {
  toStored: (o) => ({ ...o, spec: { cron: (o.spec as { schedule?: string }).schedule } }),
  fromStored: (o) => ({ ...o, spec: { schedule: (o.spec as { cron?: string }).cron } }),
});
const equivalents = (d: ResourceDefinition) => [v1, v2].filter((x) => x !== d);
const obj: KubeObject = { apiVersion: 'stable.example.com/v2', kind: 'CronTab', metadata: { name: 'c', namespace: 'ns' }, spec: { schedule: '* * * * *' } };
const attrs = (): AdmissionAttributes => ({ operation: 'CREATE', definition: v2, namespace: 'ns', name: 'c', object: structuredClone(obj), user: { name: 'u', groups: [] }, dryRun: false, warnings: [] });
const v1Rule = { operations: ['CREATE'], apiGroups: ['stable.example.com'], apiVersions: ['v1'], resources: ['crontabs'] };

describe('matchPolicy', () => {
  it('Equivalent matches a rule for another served version and converts the object to it; Exact does not', () => {
    const seen = matchWithPolicy(attrs(), 'Equivalent', equivalents, (x) => ruleMatches(v1Rule, x))!;
    expect(seen.definition).toBe(v1);
    expect(seen.requestDefinition).toBe(v2);
    expect(seen.object).toMatchObject({ apiVersion: 'stable.example.com/v1', spec: { cron: '* * * * *' } });
    expect(matchWithPolicy(attrs(), 'Exact', equivalents, (x) => ruleMatches(v1Rule, x))).toBeUndefined();
    const own = attrs();
    expect(matchWithPolicy(own, 'Equivalent', equivalents, () => true)).toBe(own);
  });

  it("a change made in the matched version is written back into the request's own object", () => {
    const a = attrs();
    const held = a.object;
    const view = asVersion(a, v1);
    (view.object!.spec as { cron: string }).cron = '0 * * * *';
    mergeBack(a, view);
    expect(a.object).toBe(held);
    expect(a.object).toMatchObject({ apiVersion: 'stable.example.com/v2', spec: { schedule: '0 * * * *' } });
  });

  it('a policy for v1 judges a v2 request in v1 shape, with requestKind naming v2', async () => {
    const policy = { metadata: { name: 'p' }, spec: { failurePolicy: 'Fail', matchConstraints: { resourceRules: [v1Rule] }, validations: [{ expression: "has(object.spec.cron) && object.apiVersion == 'stable.example.com/v1' && request.requestKind.version == 'v2' && request.kind.version == 'v1'" }] } };
    const binding = { metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny'] } };
    const plugin = (matchPolicy?: string) =>
      validatingAdmissionPolicy({
        policies: async () => [{ ...policy, spec: { ...policy.spec, matchConstraints: { ...policy.spec.matchConstraints, matchPolicy } } } as KubeObject],
        bindings: async () => [binding as KubeObject],
        getNamespace: async () => undefined,
        equivalents,
      });
    await plugin('Equivalent').validate!(attrs());
    const denying = (matchPolicy: string) =>
      validatingAdmissionPolicy({
        policies: async () => [{ ...policy, spec: { ...policy.spec, matchConstraints: { ...policy.spec.matchConstraints, matchPolicy }, validations: [{ expression: 'false' }] } } as KubeObject],
        bindings: async () => [binding as KubeObject],
        getNamespace: async () => undefined,
        equivalents,
      });
    await expect(Promise.resolve().then(() => denying('Equivalent').validate!(attrs()))).rejects.toThrow(/denied request: failed expression: false/);
    await denying('Exact').validate!(attrs()); // not matched under Exact: nothing denies
  });
});
