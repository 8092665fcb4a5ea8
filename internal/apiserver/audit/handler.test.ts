import { describe, expect, it } from 'vitest';
import { ApiError, type KubeObject } from '../../api/index.js';
import type { ApiRequest, ApiResponse, Handler } from '../../registry/index.js';
import { auditedHandler, requestURI } from './handler.js';
import { parsePolicy } from './policy.js';

const controller = { name: 'system:serviceaccount:kube-system:deployment-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
const policy = parsePolicy({
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [
    { level: 'None', resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
    { level: 'RequestResponse', resources: [{ group: 'apps', resources: ['replicasets'] }] },
    { level: 'Metadata' },
  ],
});

/** A handler that answers creates with their body (and an admission annotation), refuses pods. */
const inner: Handler = {
  async handle(r: ApiRequest): Promise<ApiResponse> {
    if (r.resource === 'pods') throw new ApiError('Forbidden', 'pods "p" is forbidden: nope');
    r.auditAnnotations?.set('example.com/seen', 'yes');
    return { code: r.verb === 'create' ? 201 : 200, body: ('body' in r ? r.body : { metadata: { name: r.name } }) as KubeObject };
  },
  watch: async () => ({ events: (async function* () {})() }),
};

function run() {
  const lines: Record<string, unknown>[] = [];
  let t = 1_000;
  const h = auditedHandler(inner, { policy, backend: { write: (l) => lines.push(JSON.parse(l)) } }, () => (t += 5));
  return { h, lines };
}

describe('audit of in-process calls', () => {
  it('a plugin write is an audit.k8s.io/v1 Event at the policy level, with its admission annotations', async () => {
    const { h, lines } = run();
    const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'ns' } };
    await h.handle({ user: controller, group: 'apps', version: 'v1', resource: 'replicasets', namespace: 'ns', verb: 'create', body: rs, params: {}, userAgent: 'kube-controller-manager' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', stage: 'ResponseComplete', verb: 'create',
      requestURI: '/apis/apps/v1/namespaces/ns/replicasets',
      user: { username: controller.name, groups: controller.groups }, sourceIPs: ['127.0.0.1'], userAgent: 'kube-controller-manager',
      objectRef: { resource: 'replicasets', namespace: 'ns', name: 'web-1', apiGroup: 'apps', apiVersion: 'v1' },
      responseStatus: { code: 201 }, requestObject: rs, responseObject: rs, annotations: { 'example.com/seen': 'yes' },
    });
  });

  it('a refusal is recorded with its Status; None rules and watches keep the log quiet', async () => {
    const { h, lines } = run();
    await expect(h.handle({ user: controller, group: '', version: 'v1', resource: 'pods', namespace: 'ns', verb: 'create', body: { metadata: { name: 'p' } }, params: {} })).rejects.toThrow(/nope/);
    await h.handle({ user: controller, group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager', verb: 'get', params: {} });
    await h.watch({ user: controller, group: '', version: 'v1', resource: 'pods', verb: 'watch', params: {}, signal: new AbortController().signal });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'Metadata', verb: 'create', responseStatus: { code: 403, status: 'Failure', reason: 'Forbidden', message: 'pods "p" is forbidden: nope' } });
    expect(lines[0]).not.toHaveProperty('requestObject');
  });

  it('requestURI is the path an HTTP client would have used', () => {
    expect(requestURI({ user: controller, group: '', version: 'v1', resource: 'pods', namespace: 'ns', name: 'p', subresource: 'status', verb: 'get', params: {} })).toBe('/api/v1/namespaces/ns/pods/p/status');
    expect(requestURI({ user: controller, group: 'apps', version: 'v1', resource: 'deployments', verb: 'watch', params: {}, signal: new AbortController().signal })).toBe('/apis/apps/v1/deployments?watch=true');
  });
});
