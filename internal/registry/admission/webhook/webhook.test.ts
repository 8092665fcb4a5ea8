import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../api/index.js';
import type { AdmissionAttributes } from '../../admission.js';
import type { ResourceDefinition } from '../../definition.js';
import { webhookAdmission } from './index.js';
import { admissionReview, applyPatchInPlace, deniedError, readReview } from './review.js';
import { ruleMatches, webhookMatches, webhooksOf, type Webhook, type WebhookRule } from './match.js';

const def = (group: string, version: string, plural: string, kind: string, namespaced = true) => ({ group, version, plural, kind, namespaced }) as unknown as ResourceDefinition;
const PODS = def('', 'v1', 'pods', 'Pod');
const DEPLOYS = def('apps', 'v1', 'deployments', 'Deployment');
const NODES = def('', 'v1', 'nodes', 'Node', false);
const NAMESPACES = def('', 'v1', 'namespaces', 'Namespace', false);
const VWC = def('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false);
const obj = (labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels } });
const attrs = (over: Partial<AdmissionAttributes> = {}): AdmissionAttributes => ({ operation: 'CREATE', definition: PODS, namespace: 'ns', name: 'p', object: obj(), user: { name: 'u', groups: ['g'] }, dryRun: false, ...over });

describe('webhook rules', () => {
  const rule = (over: Partial<WebhookRule>): WebhookRule => ({ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*', ...over });
  const cases: [string, WebhookRule, Partial<AdmissionAttributes>, boolean][] = [
    ['exact resource', rule({}), {}, true],
    ['other operation', rule({}), { operation: 'UPDATE' }, false],
    ['* operations', rule({ operations: ['*'] }), { operation: 'DELETE' }, true],
    ['other group', rule({}), { definition: DEPLOYS }, false],
    ['* groups and resources', rule({ apiGroups: ['*'], resources: ['*'] }), { definition: DEPLOYS }, true],
    ['pods does not match pods/status', rule({}), { subresource: 'status' }, false],
    ['* does not match a subresource', rule({ resources: ['*'] }), { subresource: 'status' }, false],
    ['pods/status', rule({ resources: ['pods/status'] }), { subresource: 'status' }, true],
    ['pods/* matches a subresource', rule({ resources: ['pods/*'] }), { subresource: 'status' }, true],
    ['pods/* does not match pods', rule({ resources: ['pods/*'] }), {}, false],
    ['*/status', rule({ resources: ['*/status'] }), { subresource: 'status' }, true],
    ['*/* matches everything', rule({ resources: ['*/*'] }), { subresource: 'binding' }, true],
    ['scope Cluster skips namespaced', rule({ scope: 'Cluster' }), {}, false],
    ['scope Namespaced skips cluster-scoped', rule({ resources: ['nodes'], scope: 'Namespaced' }), { definition: NODES, namespace: undefined }, false],
    ['scope Cluster matches nodes', rule({ resources: ['nodes'], scope: 'Cluster' }), { definition: NODES, namespace: undefined }, true],
    ['other version', rule({ apiVersions: ['v1beta1'] }), {}, false],
  ];
  it.each(cases)('%s', (_n, r, a, want) => expect(ruleMatches(r, attrs(a))).toBe(want));
});

describe('webhook selectors', () => {
  const hook = (over: Partial<Webhook> = {}): Webhook => ({ name: 'a.b.c', clientConfig: { url: 'https://x' }, rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }], ...over });
  const cases: [string, Webhook, Partial<AdmissionAttributes>, Record<string, string> | undefined, boolean][] = [
    ['empty selectors match', hook(), {}, {}, true],
    ['namespaceSelector on the namespace labels', hook({ namespaceSelector: { matchLabels: { hooked: 'yes' } } }), {}, { hooked: 'yes' }, true],
    ['namespaceSelector misses', hook({ namespaceSelector: { matchLabels: { hooked: 'yes' } } }), {}, {}, false],
    ['NotIn expression', hook({ namespaceSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] } }), {}, { skip: '' }, false],
    ['cluster-scoped ignores namespaceSelector', hook({ namespaceSelector: { matchLabels: { hooked: 'yes' } } }), { definition: NODES, namespace: undefined }, undefined, true],
    ['a Namespace is judged by its own labels', hook({ namespaceSelector: { matchLabels: { hooked: 'yes' } } }), { definition: NAMESPACES, namespace: undefined, object: obj({ hooked: 'yes' }) }, undefined, true],
    ['objectSelector on the object', hook({ objectSelector: { matchLabels: { app: 'x' } } }), { object: obj({ app: 'x' }) }, {}, true],
    ['objectSelector misses', hook({ objectSelector: { matchLabels: { app: 'x' } } }), {}, {}, false],
    ['objectSelector on the old object (DELETE)', hook({ objectSelector: { matchLabels: { app: 'x' } } }), { operation: 'DELETE', object: undefined, oldObject: obj({ app: 'x' }) }, {}, true],
    ['webhook configurations are exempt', hook(), { definition: VWC, namespace: undefined }, undefined, false],
    ['CONNECT is not sent', hook(), { operation: 'CONNECT' }, {}, false],
  ];
  it.each(cases)('%s', (_n, w, a, ns, want) => expect(webhookMatches(w, attrs(a), ns)).toBe(want));

  it('orders webhooks by configuration name, then list order', () => {
    const cfg = (name: string, hooks: string[]) => ({ metadata: { name }, webhooks: hooks.map((h) => ({ name: h })) }) as unknown as KubeObject;
    expect(webhooksOf([cfg('b', ['b1']), cfg('a', ['a1', 'a2'])]).map((w) => w.name)).toEqual(['a1', 'a2', 'b1']);
  });
});

describe('AdmissionReview', () => {
  it('sends the request as admission.k8s.io/v1', () => {
    const review = admissionReview(attrs({ dryRun: true }), 'uid-1');
    expect(review).toMatchObject({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'uid-1',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        name: 'p',
        namespace: 'ns',
        operation: 'CREATE',
        userInfo: { username: 'u', groups: ['g'] },
        oldObject: null,
        dryRun: true,
        options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
      },
    });
  });

  const ok = (response: object) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u1', ...response } });
  const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/metadata/labels/x', value: 'y' }])).toString('base64');
  it('reads allowed, warnings and a JSON patch', () => {
    expect(readReview(ok({ allowed: true, warnings: ['w'], patchType: 'JSONPatch', patch }), 'u1', true)).toEqual({ allowed: true, warnings: ['w'], patch: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] });
  });
  const bad: [string, unknown, boolean, RegExp][] = [
    ['not a review', { kind: 'Status' }, true, /expected webhook response of admission.k8s.io\/v1/],
    ['another uid', ok({ uid: 'other', allowed: true }), true, /expected response.uid="u1", got "other"/],
    ['a patch from a validating webhook', ok({ allowed: true, patchType: 'JSONPatch', patch }), false, /validating webhook may not return response.patch/],
    ['another patch type', ok({ allowed: true, patchType: 'Merge', patch }), true, /unsupported patch type "Merge"/],
  ];
  it.each(bad)('refuses %s', (_n, body, mutating, msg) => expect(() => readReview(body, 'u1', mutating)).toThrow(msg));

  const denials: [object | undefined, number, string][] = [
    [{ code: 403, message: 'no privileged pods' }, 403, 'admission webhook "a.b.c" denied the request: no privileged pods'],
    [{ reason: 'NotAllowed' }, 400, 'admission webhook "a.b.c" denied the request: NotAllowed'],
    [undefined, 400, 'admission webhook "a.b.c" denied the request without explanation'],
    [{ code: 200, message: 'm' }, 400, 'admission webhook "a.b.c" denied the request: m'],
  ];
  it.each(denials)('denial %j', (status, code, message) => {
    const err = deniedError('a.b.c', status);
    expect([err.code, err.message]).toEqual([code, message]);
  });

  it('patches the object in place', () => {
    const o = obj({ a: '1' });
    applyPatchInPlace(o, [{ op: 'add', path: '/metadata/labels/b', value: '2' }]);
    expect(o.metadata.labels).toEqual({ a: '1', b: '2' });
  });
});

describe('webhook matchConditions', () => {
  const hook = (matchConditions: { name: string; expression: string }[], failurePolicy: 'Fail' | 'Ignore' = 'Fail'): KubeObject =>
    ({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'c' },
      // Port 1 refuses connections: a webhook that is called fails the request.
      webhooks: [{ name: 'h.example.com', clientConfig: { url: 'https://127.0.0.1:1/' }, rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }], failurePolicy, sideEffects: 'None', timeoutSeconds: 2, matchConditions }],
    }) as unknown as KubeObject;
  const run = (cfg: KubeObject, a = attrs()) =>
    webhookAdmission({ configurations: async (k) => (k === 'validating' ? [cfg] : []), getNamespace: async () => undefined, endpointsOf: async () => ({}) }).validate!(a);
  const message = async (p: Promise<void> | void) => {
    try {
      await p;
      return 'called: none';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('skips the webhook when a condition is false and calls it when all hold', async () => {
    expect(await message(run(hook([{ name: 'not-u', expression: "request.userInfo.username != 'u'" }])))).toBe('called: none');
    expect(await message(run(hook([{ name: 'labelled', expression: "has(object.metadata.labels) && 'x' in object.metadata.labels" }])))).toBe('called: none');
    expect(await message(run(hook([{ name: 'is-u', expression: "request.userInfo.username == 'u'" }])))).toContain('failed calling webhook "h.example.com"');
  });

  it("a condition may ask the authorizer about the requester (only users who may not escalate are sent to the webhook)", async () => {
    const asked: unknown[] = [];
    const withAuthz = (allowed: boolean) =>
      webhookAdmission({
        configurations: async (k) => (k === 'validating' ? [hook([{ name: 'not-admin', expression: "!authorizer.group('rbac.authorization.k8s.io').resource('clusterroles').check('escalate').allowed()" }])] : []),
        getNamespace: async () => undefined,
        endpointsOf: async () => ({}),
        authorize: async (c) => {
          asked.push(c);
          return { allowed };
        },
      }).validate!(attrs());
    expect(await message(withAuthz(true))).toBe('called: none');
    expect(await message(withAuthz(false))).toContain('failed calling webhook "h.example.com"');
    expect(asked[0]).toMatchObject({ user: 'u', verb: 'escalate', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' });
  });

  it('an expression error follows failurePolicy', async () => {
    expect(await message(run(hook([{ name: 'bad', expression: 'object.spec.nope == 1' }])))).toBe(
      'Internal error occurred: failed calling webhook "h.example.com": failed to evaluate match condition "bad": no such key: spec',
    );
    expect(await message(run(hook([{ name: 'bad', expression: 'object.spec.nope == 1' }], 'Ignore')))).toBe('called: none');
  });
});
