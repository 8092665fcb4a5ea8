import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/index.js';
import { validatingAdmissionPolicyStrategy } from './index.js';
import { typeChecking } from './typecheck.js';

const policy = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'p' },
  spec: { matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] }, ...spec },
});

describe('ValidatingAdmissionPolicy status.typeChecking', () => {
  it('warns about fields a matched built-in kind does not declare, per expression, as upstream words it', () => {
    const tc = typeChecking(policy({ validations: [{ expression: 'object.spec.replica <= 5', messageExpression: "'too many: ' + string(object.spec.replicas)" }, { expression: 'object.metadata.lables.size() < 3' }], auditAnnotations: [{ key: 'k', valueExpression: 'string(oldObject.spec.templat)' }] }));
    expect(tc.expressionWarnings?.map((w) => [w.fieldRef, w.warning.split('\n')[0]])).toEqual([
      ['spec.validations[0].expression', "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replica'"],
      ['spec.validations[1].expression', "apps/v1, Kind=Deployment: ERROR: <input>:1:16: undefined field 'lables'"],
      ['spec.auditAnnotations[0].valueExpression', "apps/v1, Kind=Deployment: ERROR: <input>:1:22: undefined field 'templat'"],
    ]);
    expect(tc.expressionWarnings![0]!.warning).toBe("apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replica'\n | object.spec.replica <= 5\n | ...........^");
  });

  it('no warnings for valid fields, and no check for wildcard rules', () => {
    expect(typeChecking(policy({ validations: [{ expression: "object.spec.template.spec.containers.all(c, c.image != '') && object.metadata.labels['a'] == 'b'" }] }))).toEqual({});
    const wild = policy({ validations: [{ expression: 'object.spec.nope' }] });
    (wild.spec as { matchConstraints: { resourceRules: { apiGroups: string[] }[] } }).matchConstraints.resourceRules[0]!.apiGroups = ['*'];
    expect(typeChecking(wild)).toEqual({});
  });

  it('the strategy writes status on create and on a spec change, keeps it otherwise', () => {
    const ctx = { user: { name: 'a', groups: [] }, now: 0, dryRun: false };
    const p = policy({ validations: [{ expression: 'object.spec.replica <= 5' }] });
    validatingAdmissionPolicyStrategy.prepareForCreate(p, ctx);
    expect(p.status).toMatchObject({ observedGeneration: 1, typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[0].expression' }] } });
    const stored: KubeObject = { ...p, metadata: { ...p.metadata, generation: 1 } };
    const fixed = policy({ validations: [{ expression: 'object.spec.replicas <= 5' }] });
    validatingAdmissionPolicyStrategy.prepareForUpdate(fixed, stored, ctx);
    expect(fixed.status).toEqual({ observedGeneration: 2, typeChecking: {} });
    const same = structuredClone(stored);
    validatingAdmissionPolicyStrategy.prepareForUpdate(same, stored, ctx);
    expect(same.status).toEqual(stored.status);
  });
});
