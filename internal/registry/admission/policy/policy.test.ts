import { describe, expect, it } from 'vitest';
import { ApiError, type KubeObject } from '../../../api/index.js';
import type { AdmissionAttributes } from '../../admission.js';
import type { ResourceDefinition } from '../../definition.js';
import { validatingAdmissionPolicyStrategy } from '../../resources/admissionregistration/index.js';
import { validatingAdmissionPolicy } from './index.js';

const DEPLOYS = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true } as unknown as ResourceDefinition;
const deploy = (replicas: number, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'test', labels }, spec: { replicas } });
const attrs = (object: KubeObject, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({
  operation: 'CREATE',
  definition: DEPLOYS,
  namespace: 'test',
  name: 'web',
  object,
  user: { name: 'alice', groups: ['dev'] },
  dryRun: false,
  ...over,
});

/** The policy of the Kubernetes documentation's first example. */
const policy = (spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicy',
  metadata: { name: 'demo-policy.example.com' },
  spec: {
    failurePolicy: 'Fail',
    matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }] },
    validations: [{ expression: 'object.spec.replicas <= 5' }],
    ...spec,
  },
});
const binding = (actions: string[], spec: Record<string, unknown> = {}, name = 'demo-binding-test.example.com'): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingAdmissionPolicyBinding',
  metadata: { name },
  spec: { policyName: 'demo-policy.example.com', validationActions: actions, matchResources: { namespaceSelector: { matchLabels: { environment: 'test' } } }, ...spec },
});

function plugin(policies: KubeObject[], bindings: KubeObject[], nsLabels: Record<string, string> = { environment: 'test' }, configMaps: KubeObject[] = []) {
  return validatingAdmissionPolicy({
    policies: async () => policies,
    bindings: async () => bindings,
    getNamespace: async (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: nsLabels } }),
    params: {
      resolve: (k) => (k.apiVersion === 'v1' && k.kind === 'ConfigMap' ? { namespaced: true, list: async (ns) => configMaps.filter((c) => c.metadata.namespace === ns) } : undefined),
    },
  });
}

async function refusal(p: Promise<void> | void): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('ValidatingAdmissionPolicy', () => {
  it('denies with upstream Status: 422 Invalid, the message as a cause', async () => {
    const e = await refusal(plugin([policy()], [binding(['Deny'])]).validate!(attrs(deploy(6))));
    const message = "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5";
    expect(e.code).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.message).toBe(`deployments.apps "web" is forbidden: ${message}`);
    expect(e.details).toEqual({ name: 'web', group: 'apps', kind: 'deployments', causes: [{ message }] });
    await plugin([policy()], [binding(['Deny'])]).validate!(attrs(deploy(3)));
  });

  it('binding selectors, policy rules and missing policies decide whether it applies', async () => {
    await plugin([policy()], [binding(['Deny'])], { environment: 'prod' }).validate!(attrs(deploy(6)));
    await plugin([policy()], [binding(['Deny'])]).validate!(attrs(deploy(6), { operation: 'DELETE', object: undefined, oldObject: deploy(6) }));
    await plugin([], [binding(['Deny'])]).validate!(attrs(deploy(6)));
    const named = binding(['Deny'], { matchResources: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'], resourceNames: ['other'] }] } });
    await plugin([policy()], [named]).validate!(attrs(deploy(6)));
  });

  it('Warn adds upstream warnings instead of denying; message, messageExpression and reason are used', async () => {
    const p = policy({
      validations: [
        { expression: 'object.spec.replicas <= 5', messageExpression: "'replicas ' + string(object.spec.replicas) + ' is over 5'" },
        { expression: "object.metadata.name != 'web'", message: 'no web', reason: 'Forbidden' },
      ],
    });
    const a = attrs(deploy(6));
    await plugin([p], [binding(['Warn'])]).validate!(a);
    expect(a.warnings).toEqual([
      "Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com': replicas 6 is over 5",
      "Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com': no web",
    ]);
    const e = await refusal(plugin([p], [binding(['Deny'])]).validate!(attrs(deploy(3))));
    expect(e.code).toBe(403);
    expect(e.message).toContain('denied request: no web');
  });

  it('matchConditions, variables, request and namespaceObject', async () => {
    const p = policy({
      matchConditions: [{ name: 'not-admins', expression: "!('system:masters' in request.userInfo.groups)" }],
      variables: [{ name: 'limit', expression: "namespaceObject.metadata.labels.environment == 'test' ? 2 : 10" }],
      validations: [{ expression: 'object.spec.replicas <= variables.limit', messageExpression: "'at most ' + string(variables.limit) + ' for ' + request.userInfo.username" }],
    });
    const e = await refusal(plugin([p], [binding(['Deny'])]).validate!(attrs(deploy(3))));
    expect(e.message).toContain('denied request: at most 2 for alice');
    await plugin([p], [binding(['Deny'])]).validate!(attrs(deploy(3), { user: { name: 'root', groups: ['system:masters'] } }));
  });

  it('failurePolicy decides what an expression error means', async () => {
    const broken = (fp: string) => policy({ failurePolicy: fp, validations: [{ expression: 'object.spec.missing > 1' }] });
    const e = await refusal(plugin([broken('Fail')], [binding(['Deny'])]).validate!(attrs(deploy(3))));
    expect(e.message).toContain("denied request: expression 'object.spec.missing > 1' resulted in error: no such key: missing");
    await plugin([broken('Ignore')], [binding(['Deny'])]).validate!(attrs(deploy(3)));
  });
});

describe('ValidatingAdmissionPolicy params and audit', () => {
  const cm = (name: string, namespace: string, max: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { max } });
  const withParams = (fp = 'Fail') => policy({ failurePolicy: fp, paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'over ' + params.data.max + ' (' + params.metadata.name + ')'" }] });

  it('params: paramRef.name in the request namespace, or every object the selector matches', async () => {
    const maps = [cm('limits', 'test', '4'), cm('limits', 'other', '100'), cm('a', 'test', '2', { tier: 'x' }), cm('b', 'test', '8', { tier: 'x' })];
    const named = binding(['Deny'], { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } });
    await plugin([withParams()], [named], undefined, maps).validate!(attrs(deploy(4)));
    expect((await refusal(plugin([withParams()], [named], undefined, maps).validate!(attrs(deploy(5))))).message).toContain('denied request: over 4 (limits)');
    const pinned = binding(['Deny'], { paramRef: { name: 'limits', namespace: 'other' } });
    await plugin([withParams()], [pinned], undefined, maps).validate!(attrs(deploy(50)));
    const selected = binding(['Deny'], { paramRef: { selector: { matchLabels: { tier: 'x' } } } });
    expect((await refusal(plugin([withParams()], [selected], undefined, maps).validate!(attrs(deploy(3))))).message).toContain('denied request: over 2 (a)');
  });

  it('params not found: parameterNotFoundAction; a paramKind not served or no paramRef: failurePolicy', async () => {
    const deny = binding(['Deny'], { paramRef: { name: 'missing', parameterNotFoundAction: 'Deny' } });
    expect((await refusal(plugin([withParams()], [deny]).validate!(attrs(deploy(1))))).message).toContain('denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction');
    await plugin([withParams()], [binding(['Deny'], { paramRef: { name: 'missing', parameterNotFoundAction: 'Allow' } })]).validate!(attrs(deploy(1)));
    const unserved = policy({ paramKind: { apiVersion: 'example.com/v1', kind: 'Limits' }, validations: [{ expression: 'true' }] });
    expect((await refusal(plugin([unserved], [binding(['Deny'], { paramRef: { name: 'x' } })]).validate!(attrs(deploy(1))))).message).toContain('failed to configure binding: paramKind Limits (example.com/v1) is not served');
    expect((await refusal(plugin([withParams()], [binding(['Deny'])]).validate!(attrs(deploy(1))))).message).toContain('policy has paramKind but its binding has no paramRef');
    await plugin([withParams('Ignore')], [binding(['Deny'])]).validate!(attrs(deploy(1)));
  });

  it('auditAnnotations and the Audit action go to the request\'s audit annotations', async () => {
    const p = policy({ validations: [{ expression: 'true' }, { expression: 'object.spec.replicas <= 5', message: 'too many' }], auditAnnotations: [{ key: 'replicas', valueExpression: "'replicas: ' + string(object.spec.replicas)" }, { key: 'none', valueExpression: 'null' }] });
    const annotations = new Map<string, string>();
    await plugin([p], [binding(['Audit', 'Warn'])]).validate!(attrs(deploy(6), { auditAnnotations: annotations }));
    expect(Object.fromEntries(annotations)).toEqual({
      'demo-policy.example.com/replicas': 'replicas: 6',
      'validation.policy.admission.k8s.io/validation_failure': JSON.stringify([{ message: 'too many', policy: 'demo-policy.example.com', binding: 'demo-binding-test.example.com', expressionIndex: 1, validationActions: ['Audit', 'Warn'] }]),
    });
  });
});

describe('stored policies', () => {
  it('a policy or webhook expression that does not compile is refused at write', () => {
    const ctx = { user: { name: 'admin', groups: [] }, now: 0, dryRun: false };
    const p = policy({ validations: [{ expression: 'object.spec.replicas <=' }, { expression: 'true', messageExpression: 'nope' }] });
    validatingAdmissionPolicyStrategy.prepareForCreate(p, ctx);
    const errs = validatingAdmissionPolicyStrategy.validate(p, ctx).map((e) => `${e.field}: ${e.detail?.split('\n')[0]}`);
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatch(/^spec\.validations\[0\]\.expression: compilation failed: ERROR: <input>:1:\d+: Syntax error: /);
    expect(errs[1]).toBe("spec.validations[1].messageExpression: compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope' (in container '')");
  });
});

describe('ValidatingAdmissionPolicy auditAnnotations at write', () => {
  it('a valueExpression that does not compile, a missing or duplicate key are refused', () => {
    const ctx = { user: { name: 'a', groups: [] }, now: 0, dryRun: false };
    const p = policy({ validations: [], auditAnnotations: [{ key: 'high', valueExpression: 'object.spec.replicas >' }, { key: 'high', valueExpression: "'x'" }, { key: '', valueExpression: '' }, { key: 'ok', valueExpression: "authorizer.requestResource.check('get').reason()" }] });
    validatingAdmissionPolicyStrategy.prepareForCreate(p, ctx);
    const errs = validatingAdmissionPolicyStrategy.validate(p, ctx).map((e) => `${e.field}: ${e.type}: ${e.detail?.split('\n')[0]}`);
    expect(errs).toEqual([
      'spec.auditAnnotations[1].key: FieldValueDuplicate: undefined',
      'spec.auditAnnotations[2].key: FieldValueRequired: ',
      'spec.auditAnnotations[2].valueExpression: FieldValueRequired: valueExpression is not specified',
      expect.stringMatching(/^spec\.auditAnnotations\[0\]\.valueExpression: FieldValueInvalid: compilation failed: ERROR: <input>:1:\d+: Syntax error/),
    ]);
  });
});

describe('ValidatingAdmissionPolicy authorizer variable', () => {
  it('a validation may ask the authorizer about the requester; the answer decides', async () => {
    const asked: unknown[] = [];
    const p = (allowed: boolean) =>
      validatingAdmissionPolicy({
        policies: async () => [policy({ validations: [{ expression: "object.spec.replicas <= 5 || authorizer.group('apps').resource('deployments').subresource('scale').namespace(request.namespace).check('update').allowed()", messageExpression: "'big deployments need scale rights: ' + request.userInfo.username" }] })],
        bindings: async () => [binding(['Deny'])],
        getNamespace: async (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { environment: 'test' } } }),
        authorize: async (c) => {
          asked.push(c);
          return { allowed };
        },
      });
    await p(true).validate!(attrs(deploy(9)));
    expect(asked).toEqual([{ user: 'alice', groups: ['dev'], verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'test' }]);
    const e = await refusal(p(false).validate!(attrs(deploy(9))));
    expect(e.message).toContain('denied request: big deployments need scale rights: alice');
    await p(false).validate!(attrs(deploy(3)));
  });
});
