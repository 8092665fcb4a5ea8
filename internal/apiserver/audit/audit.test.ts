import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEvent, auditRequestOf, microTime, type RequestFacts } from './event.js';
import { auditLevel, parsePolicy, type AuditPolicy } from './policy.js';
import { RotatingFile } from './writer.js';

const alice = { name: 'alice', groups: ['dev', 'system:authenticated'] };
const facts = (method: string, url: string, over: Partial<RequestFacts> = {}): RequestFacts => ({ method, url, watch: /[?&]watch=(true|1)/.test(url), sourceIP: '10.0.0.1', user: alice, ...over });

describe('audit request info', () => {
  const cases: [string, string, string, object | undefined][] = [
    ['GET', '/api/v1/namespaces/ns/pods', 'list', { group: '', version: 'v1', resource: 'pods', namespace: 'ns' }],
    ['GET', '/api/v1/namespaces/ns/pods?watch=true', 'watch', { resource: 'pods' }],
    ['GET', '/api/v1/namespaces/ns/pods/p', 'get', { name: 'p' }],
    ['GET', '/api/v1/namespaces/ns/pods/p/log', 'get', { subresource: 'log' }],
    ['POST', '/apis/apps/v1/namespaces/ns/deployments', 'create', { group: 'apps', resource: 'deployments' }],
    ['PUT', '/api/v1/namespaces/ns/configmaps/c', 'update', { name: 'c' }],
    ['PATCH', '/api/v1/nodes/n/status', 'patch', { resource: 'nodes', name: 'n', subresource: 'status' }],
    ['DELETE', '/api/v1/namespaces/ns/pods/p', 'delete', { name: 'p' }],
    ['DELETE', '/api/v1/namespaces/ns/pods', 'deletecollection', { resource: 'pods' }],
    ['GET', '/api/v1/namespaces', 'list', { resource: 'namespaces' }],
    ['GET', '/healthz', 'get', undefined],
    ['POST', '/apis', 'post', undefined],
  ];
  it.each(cases)('%s %s → %s', (method, url, verb, resource) => {
    const r = auditRequestOf(facts(method, url));
    expect(r.verb).toBe(verb);
    if (resource) expect(r.resource).toMatchObject(resource);
    else expect([r.resource, r.path]).toEqual([undefined, url.split('?')[0]]);
  });
});

describe('audit policy', () => {
  const policy: AuditPolicy = parsePolicy({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
      { level: 'None', nonResourceURLs: ['/healthz*', '/version'] },
      { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'] },
      { level: 'RequestResponse', resources: [{ group: '', resources: ['configmaps'] }], namespaces: ['audited'] },
      { level: 'Metadata', resources: [{ group: '', resources: ['secrets', 'pods/log'] }], omitStages: ['ResponseStarted'] },
      { level: 'Request', resources: [{ group: 'apps', resources: ['*/scale'] }] },
      { level: 'Request', resources: [{ group: '', resources: ['nodes'], resourceNames: ['n1'] }] },
      { level: 'None', userGroups: ['system:nodes'] },
      { level: 'Request', namespaces: [''] },
      { level: 'Metadata' },
    ],
  });
  const level = (f: RequestFacts) => auditLevel(policy, auditRequestOf(f)).level;
  const cases: [string, RequestFacts, string][] = [
    ['health URL by prefix', facts('GET', '/healthz/ping'), 'None'],
    ['exact URL', facts('GET', '/version'), 'None'],
    ['other URL falls through to the catch-all', facts('GET', '/apis'), 'Metadata'],
    ['user + verb', facts('GET', '/api/v1/endpoints?watch=true', { user: { name: 'system:kube-proxy', groups: [] } }), 'None'],
    ['user, other verb', facts('GET', '/api/v1/endpoints', { user: { name: 'system:kube-proxy', groups: [] } }), 'Request'],
    ['resource in namespace', facts('POST', '/api/v1/namespaces/audited/configmaps'), 'RequestResponse'],
    ['resource in another namespace', facts('POST', '/api/v1/namespaces/other/configmaps'), 'Metadata'],
    ['secrets never above Metadata', facts('POST', '/api/v1/namespaces/audited/secrets'), 'Metadata'],
    ['subresource', facts('GET', '/api/v1/namespaces/x/pods/p/log'), 'Metadata'],
    ['*/scale', facts('PUT', '/apis/apps/v1/namespaces/x/deployments/d/scale'), 'Request'],
    ['*/scale is not the resource', facts('PUT', '/apis/apps/v1/namespaces/x/deployments/d'), 'Metadata'],
    ['resourceNames', facts('PATCH', '/api/v1/nodes/n1'), 'Request'],
    ['group', facts('PATCH', '/api/v1/nodes/n2', { user: { name: 'system:node:n2', groups: ['system:nodes'] } }), 'None'],
    ['"" namespace = cluster-scoped', facts('GET', '/api/v1/nodes/n2'), 'Request'],
  ];
  it.each(cases)('%s', (_n, f, want) => expect(level(f)).toBe(want));

  it('omitStages: the policy and the rule together', () => {
    expect([...auditLevel(policy, auditRequestOf(facts('POST', '/api/v1/namespaces/a/secrets'))).omitStages].sort()).toEqual(['RequestReceived', 'ResponseStarted']);
  });

  it('no rule matching means None', () => {
    expect(auditLevel(parsePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata', verbs: ['delete'] }] }), auditRequestOf(facts('GET', '/api/v1/pods'))).level).toBe('None');
  });

  const bad: [unknown, RegExp][] = [
    [{ kind: 'Policy', rules: [{ level: 'None' }] }, /expected apiVersion audit.k8s.io\/v1/],
    [{ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [] }, /at least one rule/],
    [{ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Everything' }] }, /rules\[0\].level: must be one of/],
    [{ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'None', omitStages: ['Later'] }] }, /rules\[0\].omitStages/],
    [{ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'None', resources: [{ group: '' }], nonResourceURLs: ['/x'] }] }, /both regular resources and non-resource URLs/],
  ];
  it.each(bad)('refuses %j', (doc, msg) => expect(() => parsePolicy(doc)).toThrow(msg));
});

describe('audit events', () => {
  const f = facts('POST', '/api/v1/namespaces/ns/configmaps?fieldManager=kubectl-create', { userAgent: 'kubectl/v1.33.0' });
  const req = auditRequestOf(f);
  const body = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { k: 'v' } };
  const ev = (level: 'Metadata' | 'Request' | 'RequestResponse', response: { code: number; body?: unknown }) =>
    auditEvent({ auditID: 'id-1', level, stage: 'ResponseComplete', facts: f, req, receivedMs: Date.UTC(2026, 0, 1), stageMs: Date.UTC(2026, 0, 1) + 5, response, requestObject: body });

  it('Metadata: who, what (a create names its object from the body), the outcome; no objects', () => {
    expect(ev('Metadata', { code: 201, body })).toEqual({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: 'id-1',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/ns/configmaps?fieldManager=kubectl-create',
      verb: 'create',
      user: { username: 'alice', groups: ['dev', 'system:authenticated'] },
      sourceIPs: ['10.0.0.1'],
      userAgent: 'kubectl/v1.33.0',
      objectRef: { resource: 'configmaps', namespace: 'ns', name: 'c', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z',
      stageTimestamp: '2026-01-01T00:00:00.005000Z',
    });
  });

  it('Request adds the request object, RequestResponse the response object too', () => {
    expect(ev('Request', { code: 201, body })).toMatchObject({ requestObject: body });
    expect(ev('Request', { code: 201, body })).not.toHaveProperty('responseObject');
    expect(ev('RequestResponse', { code: 201, body })).toMatchObject({ requestObject: body, responseObject: body });
  });

  it("a refusal's Status shows in responseStatus at every level", () => {
    const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', message: 'configmaps is forbidden: ...', code: 403 };
    expect(ev('Metadata', { code: 403, body: status }).responseStatus).toEqual({ metadata: {}, status: 'Failure', message: 'configmaps is forbidden: ...', reason: 'Forbidden', code: 403 });
  });

  it('times have microseconds', () => expect(microTime(Date.UTC(2026, 11, 7, 15, 30, 0, 123))).toBe('2026-12-07T15:30:00.123000Z'));
});

describe('RotatingFile', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates past maxBytes, names backups by time, keeps the newest maxBackups', () => {
    dir = mkdtempSync(join(tmpdir(), 'kplane-audit-'));
    let t = Date.UTC(2026, 0, 1);
    const file = new RotatingFile(join(dir, 'audit.log'), 100, 2, () => new Date((t += 1000)));
    // Lines of 37 bytes: two fit under 100, so ten lines make four rotations.
    const line = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(20) });
    for (let i = 0; i < 10; i++) file.write(line(i));
    file.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['audit-2026-01-01T00-00-03.000.log', 'audit-2026-01-01T00-00-04.000.log', 'audit.log']);
    // Every file holds whole lines, within the limit; the newest lines are in the live file.
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.length).toBeLessThanOrEqual(100);
      for (const l of text.trim().split('\n')) expect(JSON.parse(l).pad).toHaveLength(20);
    }
    expect(readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).i)).toEqual([8, 9]);
  });

  it('maxBytes 0 never rotates; reopening appends', () => {
    dir = mkdtempSync(join(tmpdir(), 'kplane-audit-'));
    const a = new RotatingFile(join(dir, 'a.log'), 0, 0);
    for (let i = 0; i < 50; i++) a.write('{"x":1}');
    a.close();
    const b = new RotatingFile(join(dir, 'a.log'), 0, 0);
    b.write('{"x":2}');
    b.close();
    expect(readdirSync(dir)).toEqual(['a.log']);
    expect(readFileSync(join(dir, 'a.log'), 'utf8').trim().split('\n')).toHaveLength(51);
  });
});
