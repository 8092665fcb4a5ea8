import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCA, issueCert } from '../../internal/app/pki.js';
import { BIN, hasBinary, kubectl, kubectlBinary, removeDir, useKplane, type KubectlResult } from './harness.js';

// Who may do what, with real kubectl: ServiceAccount tokens (TokenRequest, bound tokens), RBAC with
// upstream's default roles, the Node authorizer, access reviews (can-i, can-i --list, whoami) and
// impersonation. Identities: the admin certificate, a ServiceAccount token, and static tokens for a
// plain user and a node (--token-auth-file).
const VERSIONS = ['1.27', '1.32', '1.33'].filter((v) => hasBinary(`kubectl.${v}`));
const dir = mkdtempSync(join(tmpdir(), 'kplane-auth-'));
const tokenFile = join(dir, 'tokens.csv');
writeFileSync(tokenFile, 'alice-token,alice,uid-alice,"dev"\nnode-token,system:node:n1,uid-n1,"system:nodes"\n');
const auditPolicy = join(dir, 'audit-policy.yaml');
const auditLog = join(dir, 'audit', 'audit.log');
writeFileSync(
  auditPolicy,
  `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version"]
- level: RequestResponse
  resources: [{group: "", resources: [configmaps]}]
  namespaces: [audited]
- level: Metadata
  resources: [{group: "", resources: [secrets]}]
- level: Request
  users: [alice]
- level: Metadata
`,
);
const server = useKplane({ args: ['--token-auth-file', tokenFile, '--audit-policy-file', auditPolicy, '--audit-log-path', auditLog, '--audit-log-maxsize', '1', '--audit-log-maxbackup', '1'] });
afterAll(() => removeDir(dir));

const admin = (args: string[], version = '1.33') => kubectl(server().kubeconfig, args, { version });
/**
 * One turn of the event loop: a long run of synchronous kubectl calls would starve the vitest
 * worker's RPC (it times out after 60 s under load), so long tests yield between calls.
 */
const yieldToWorker = () => new Promise((resolve) => setImmediate(resolve));
const settled = async (r: KubectlResult): Promise<KubectlResult> => {
  await yieldToWorker();
  return r;
};
const adminAsync = (args: string[], version = '1.33') => settled(admin(args, version));
const applyYaml = (yaml: string) => settled(kubectl(server().kubeconfig, ['apply', '-f', '-'], { version: '1.33', input: yaml }));
/** Every audit event written so far (the live file and the rotated ones). */
const auditEvents = <T>(): T[] =>
  readdirSync(join(dir, 'audit'))
    .flatMap((f) => readFileSync(join(dir, 'audit', f), 'utf8').split('\n'))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

/** A kubeconfig with the cluster's CA and no client certificate: the token decides who calls. */
function tokenKubeconfig(): string {
  const path = join(dir, 'token.kubeconfig');
  const ca = /certificate-authority-data: (\S+)/.exec(readFileSync(server().kubeconfig, 'utf8'))![1];
  writeFileSync(path, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server().url}", certificate-authority-data: ${ca}}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: team}}]\ncurrent-context: x\n`);
  return path;
}
const as = (token: string, args: string[], version = '1.33') => kubectl(tokenKubeconfig(), ['--token', token, ...args], { version });

describe('ServiceAccount tokens and RBAC', () => {
  let token = '';
  it('a token for a ServiceAccount bound to view lists pods and may not create them (upstream 403)', async () => {
    for (const args of [['create', 'ns', 'team'], ['-n', 'team', 'create', 'sa', 'bot'], ['-n', 'team', 'create', 'rolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=team:bot']]) {
      const r = admin(args);
      expect(r.code, r.stderr).toBe(0);
    }
    const t = admin(['-n', 'team', 'create', 'token', 'bot', '--duration', '1h', '--audience', 'https://kubernetes.default.svc.cluster.local']);
    expect(t.code, t.stderr).toBe(0);
    token = t.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    for (const version of VERSIONS) {
      await yieldToWorker();
      const list = as(token, ['get', 'pods'], version);
      expect(list.code, `${version}: ${list.stderr}`).toBe(0);
      const create = as(token, ['run', 'x', '--image=nginx'], version);
      expect(create.code).not.toBe(0);
      expect(create.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team:bot" cannot create resource "pods" in API group "" in the namespace "team"');
    }
  });

  it('auth can-i, can-i --list and whoami answer for the admin, the ServiceAccount and a node', async () => {
    for (const version of VERSIONS) {
      await yieldToWorker();
      expect(admin(['auth', 'can-i', 'create', 'deployments'], version).stdout.trim()).toBe('yes');
      expect(admin(['auth', 'whoami'], version).stdout).toMatch(/Username\s+kubernetes-admin/);
      expect(admin(['auth', 'can-i', '--list'], version).stdout).toMatch(/^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
      expect(as(token, ['auth', 'can-i', 'list', 'pods'], version).stdout.trim()).toBe('yes');
      expect(as(token, ['auth', 'can-i', 'create', 'pods'], version).stdout.trim()).toBe('no');
      expect(as(token, ['auth', 'can-i', 'list', 'pods', '-n', 'default'], version).stdout.trim()).toBe('no');
      const who = as(token, ['auth', 'whoami'], version);
      expect(who.stdout).toMatch(/Username\s+system:serviceaccount:team:bot/);
      expect(who.stdout).toContain('system:serviceaccounts:team');
      const list = as(token, ['auth', 'can-i', '--list'], version).stdout;
      expect(list).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      expect(list).not.toMatch(/^secrets\s/m);
      const node = as('node-token', ['auth', 'whoami'], version);
      expect(node.stdout).toMatch(/Username\s+system:node:n1/);
      expect(as('node-token', ['auth', 'can-i', 'get', 'nodes'], version).stdout.trim()).toBe('yes');
      expect(as('node-token', ['auth', 'can-i', 'delete', 'deployments'], version).stdout.trim()).toBe('no');
      expect(as('node-token', ['auth', 'can-i', 'get', 'secrets/db'], version).stdout.trim()).toBe('no');
    }
  });

  it('--as: allowed for the admin, refused for a plain user with upstream message', async () => {
    for (const version of VERSIONS) {
      await yieldToWorker();
      const ok = admin(['auth', 'whoami', '--as', 'alice', '--as-group', 'dev'], version);
      expect(ok.stdout, ok.stderr).toMatch(/Username\s+alice/);
      expect(admin(['get', 'pods', '-n', 'team', '--as', 'system:serviceaccount:team:bot'], version).code).toBe(0);
      const refused = as('alice-token', ['get', 'pods', '--as', 'bob'], version);
      expect(refused.stderr).toContain('users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
    }
  });

  it('a token bound to a pod stops working when the pod is deleted', async () => {
    const pod = admin(['-n', 'team', 'run', 'holder', '--image=nginx', '--overrides', '{"spec":{"serviceAccountName":"bot"}}']);
    expect(pod.code, pod.stderr).toBe(0);
    const uid = admin(['-n', 'team', 'get', 'pod', 'holder', '-o', 'jsonpath={.metadata.uid}']).stdout;
    const t = admin(['-n', 'team', 'create', 'token', 'bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder', '--bound-object-uid', uid]);
    expect(t.code, t.stderr).toBe(0);
    const bound = t.stdout.trim();
    expect(as(bound, ['auth', 'whoami', '-o', 'json']).stdout).toContain('"authentication.kubernetes.io/pod-name"');
    expect(admin(['-n', 'team', 'delete', 'pod', 'holder', '--grace-period=0', '--force']).code).toBe(0);
    let r = as(bound, ['get', 'pods']);
    for (let i = 0; i < 20 && r.code === 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      r = as(bound, ['get', 'pods']);
    }
    expect(r.stderr).toContain('Unauthorized');
  });

  it('a legacy token Secret is filled only when asked for, authenticates while the Secret and the ServiceAccount exist, and not after', async () => {
    const legacy = (name: string) => `{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/service-account-token","metadata":{"name":"${name}","namespace":"team","annotations":{"kubernetes.io/service-account.name":"old"}}}`;
    expect(admin(['-n', 'team', 'create', 'sa', 'old']).code).toBe(0);
    const filled = async (name: string) => {
      for (let i = 0; i < 60; i++) {
        const t = admin(['-n', 'team', 'get', 'secret', name, '-o', 'jsonpath={.data.token}']).stdout;
        if (t) return Buffer.from(t, 'base64').toString();
        await new Promise((res) => setTimeout(res, 500));
      }
      throw new Error(`${name} was not filled`);
    };
    const untilRefused = async (t: string) => {
      let r = as(t, ['auth', 'whoami']);
      for (let i = 0; i < 20 && r.code === 0; i++) {
        await new Promise((res) => setTimeout(res, 250));
        r = as(t, ['auth', 'whoami']);
      }
      return r.stderr;
    };
    expect(kubectl(server().kubeconfig, ['create', '-f', '-'], { input: legacy('old-token') }).code).toBe(0);
    const t1 = await filled('old-token');
    expect(admin(['-n', 'team', 'get', 'secret', 'old-token', '-o', 'jsonpath={.data.namespace}']).stdout).toBe(Buffer.from('team').toString('base64'));
    expect(as(t1, ['auth', 'whoami']).stdout).toMatch(/Username\s+system:serviceaccount:team:old/);
    // Its use is labelled with the day (UTC), as upstream's legacy token tracking does.
    expect(admin(['-n', 'team', 'get', 'secret', 'old-token', '-o', 'jsonpath={.metadata.labels.kubernetes\\.io/legacy-token-last-used}']).stdout).toBe(new Date().toISOString().slice(0, 10));
    // Never made on its own: the only token Secret of the namespace is the one asked for.
    const types = admin(['-n', 'team', 'get', 'secrets', '-o', 'jsonpath={range .items[*]}{.type} {.metadata.name}{"\\n"}{end}']).stdout;
    expect(types.split('\n').filter((l) => l.startsWith('kubernetes.io/service-account-token'))).toEqual(['kubernetes.io/service-account-token old-token']);
    expect(admin(['-n', 'team', 'delete', 'secret', 'old-token']).code).toBe(0);
    expect(await untilRefused(t1)).toContain('Unauthorized');
    expect(kubectl(server().kubeconfig, ['create', '-f', '-'], { input: legacy('old-token2') }).code).toBe(0);
    const t2 = await filled('old-token2');
    expect(as(t2, ['auth', 'whoami']).code).toBe(0);
    // An admin marks it invalid: refused until the label goes.
    expect(admin(['-n', 'team', 'label', 'secret', 'old-token2', 'kubernetes.io/legacy-token-invalid-since=2026-01-01']).code).toBe(0);
    expect(await untilRefused(t2)).toContain('Unauthorized');
    expect(admin(['-n', 'team', 'label', 'secret', 'old-token2', 'kubernetes.io/legacy-token-invalid-since-']).code).toBe(0);
    let back = as(t2, ['auth', 'whoami']);
    for (let i = 0; i < 20 && back.code !== 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      back = as(t2, ['auth', 'whoami']);
    }
    expect(back.code, back.stderr).toBe(0);
    expect(admin(['-n', 'team', 'delete', 'sa', 'old']).code).toBe(0);
    expect(await untilRefused(t2)).toContain('Unauthorized');
    let left = admin(['-n', 'team', 'get', 'secret', 'old-token2']);
    for (let i = 0; i < 40 && left.code === 0; i++) {
      await new Promise((res) => setTimeout(res, 500));
      left = admin(['-n', 'team', 'get', 'secret', 'old-token2']);
    }
    expect(left.stderr).toContain('NotFound');
  });

  it('serves the issuer discovery documents to ServiceAccounts', () => {
    const conf = as(token, ['get', '--raw', '/.well-known/openid-configuration']);
    expect(JSON.parse(conf.stdout)).toMatchObject({ issuer: 'https://kubernetes.default.svc.cluster.local', id_token_signing_alg_values_supported: ['RS256'] });
    const jwks = JSON.parse(as(token, ['get', '--raw', '/openid/v1/jwks']).stdout);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(as('alice-token', ['get', '--raw', '/openid/v1/jwks']).stderr).toContain('Forbidden');
  });

  it('escalation prevention: a user cannot grant what it does not hold', () => {
    expect(admin(['-n', 'team', 'create', 'rolebinding', 'alice-admin', '--clusterrole=admin', '--user=alice']).code).toBe(0);
    const grant = as('alice-token', ['create', 'rolebinding', 'alice-ca', '--clusterrole=cluster-admin', '--user=alice']);
    expect(grant.stderr).toContain('is attempting to grant RBAC permissions not currently held');
    expect(as('alice-token', ['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=bob']).code).toBe(0);
  });
});

describe('bootstrap tokens', () => {
  it('add-node stores its join token as a bootstrap token; a valid one authenticates, an expired or unusable one does not, and the token cleaner deletes the expired', async () => {
    const add = spawnSync(BIN, ['add-node', '--data-dir', server().dataDir, '--ttl', '10m'], { encoding: 'utf8' });
    expect(add.status, add.stderr).toBe(0);
    const [, , id, secret] = add.stdout.split('\n')[1]!.trim().split('.');
    const stored = admin(['-n', 'kube-system', 'get', 'secret', `bootstrap-token-${id}`, '-o', 'jsonpath={.type} {.metadata.labels.kplane\\.io/join-token}']);
    expect(stored.stdout, stored.stderr).toBe('bootstrap.kubernetes.io/token single-use');
    for (const version of VERSIONS) {
      await yieldToWorker();
      const who = as(`${id}.${secret}`, ['auth', 'whoami'], version);
      expect(who.stdout, who.stderr).toMatch(new RegExp(`Username\\s+system:bootstrap:${id}`));
      expect(who.stdout).toMatch(/Groups\s+\[system:bootstrappers system:bootstrappers:kplane:default-node-token system:authenticated\]/);
    }
    const token = (name: string, data: Record<string, string>) => `{"apiVersion":"v1","kind":"Secret","type":"bootstrap.kubernetes.io/token","metadata":{"name":"bootstrap-token-${name}","namespace":"kube-system"},"stringData":${JSON.stringify({ 'token-id': name, 'token-secret': '0123456789abcdef', ...data })}}`;
    const expired = token('expird', { expiration: '2020-01-01T00:00:00Z', 'usage-bootstrap-authentication': 'true' });
    const unusable = token('nousee', { 'usage-bootstrap-signing': 'true' });
    for (const obj of [expired, unusable]) expect(kubectl(server().kubeconfig, ['create', '-f', '-'], { input: obj }).code).toBe(0);
    expect(as('nousee.0123456789abcdef', ['auth', 'whoami']).stderr).toContain('Unauthorized');
    expect(as('expird.0123456789abcdef', ['auth', 'whoami']).stderr).toContain('Unauthorized');
    let left = admin(['-n', 'kube-system', 'get', 'secret', 'bootstrap-token-expird']);
    for (let i = 0; i < 60 && left.code === 0; i++) {
      await new Promise((res) => setTimeout(res, 500));
      left = admin(['-n', 'kube-system', 'get', 'secret', 'bootstrap-token-expird']);
    }
    expect(left.stderr).toContain('NotFound');
    expect(admin(['-n', 'kube-system', 'get', 'secret', 'bootstrap-token-nousee']).code).toBe(0);
  });
});

describe('admission', () => {
  const apply = (yaml: string) => {
    const r = kubectl(server().kubeconfig, ['apply', '-f', '-'], { version: '1.33', input: yaml });
    expect(r.code, r.stderr).toBe(0);
  };

  it('LimitRange defaults appear on a pod; a quota blocks the pod over its limit with upstream message', async () => {
    expect(admin(['create', 'ns', 'quota']).code).toBe(0);
    apply(`apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: quota}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 128Mi}
    defaultRequest: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: small, namespace: quota}
spec:
  hard: {pods: "2"}
`);
    expect(admin(['-n', 'quota', 'run', 'a', '--image=nginx']).code).toBe(0);
    const res = JSON.parse(admin(['-n', 'quota', 'get', 'pod', 'a', '-o', 'jsonpath={.spec.containers[0].resources}']).stdout);
    expect(res).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    expect(admin(['-n', 'quota', 'get', 'pod', 'a', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}']).stdout).toContain('LimitRanger plugin set: cpu, memory request for container a');
    expect(admin(['-n', 'quota', 'run', 'b', '--image=nginx']).code).toBe(0);
    for (const version of VERSIONS) {
      const over = admin(['-n', 'quota', 'run', 'c', '--image=nginx'], version);
      expect(over.stderr).toContain('Error from server (Forbidden): pods "c" is forbidden: exceeded quota: small, requested: pods=1, used: pods=2, limited: pods=2');
    }
    let used = '';
    for (let i = 0; i < 20 && used !== '2'; i++) {
      used = admin(['-n', 'quota', 'get', 'quota', 'small', '-o', 'jsonpath={.status.used.pods}']).stdout;
      if (used !== '2') await new Promise((r) => setTimeout(r, 250));
    }
    expect(used).toBe('2');
  });

  it('ServiceAccount: a pod naming a missing account is refused with upstream message; one right after its namespace is created is admitted', async () => {
    expect(admin(['create', 'ns', 'fresh']).code).toBe(0);
    const run = admin(['-n', 'fresh', 'run', 'first', '--image=nginx']);
    expect(run.code, run.stderr).toBe(0);
    expect(admin(['-n', 'fresh', 'get', 'pod', 'first', '-o', 'jsonpath={.spec.serviceAccountName}']).stdout).toBe('default');
    for (const version of VERSIONS) {
      await yieldToWorker();
      const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: robot, namespace: fresh}\nspec: {serviceAccountName: robot, containers: [{name: c, image: nginx}]}\n`;
      const refused = kubectl(server().kubeconfig, ['create', '-f', '-'], { version, input: pod });
      expect(refused.stderr).toContain('Error from server (Forbidden): error when creating "STDIN": pods "robot" is forbidden: error looking up service account fresh/robot: serviceaccount "robot" not found');
    }
  });

  it('PodSecurity: restricted rejects a privileged pod, warn returns a warning, audit annotates the audit event', async () => {
    expect(admin(['create', 'ns', 'locked']).code).toBe(0);
    expect(admin(['label', 'ns', 'locked', 'pod-security.kubernetes.io/enforce=restricted']).code).toBe(0);
    expect(admin(['create', 'ns', 'watched']).code).toBe(0);
    expect(admin(['label', 'ns', 'watched', 'pod-security.kubernetes.io/warn=baseline']).code).toBe(0);
    for (const version of VERSIONS) {
      await yieldToWorker();
      const refused = admin(['-n', 'locked', 'run', `p${version.replace('.', '')}`, '--image=nginx', '--privileged'], version);
      expect(refused.stderr).toContain(`is forbidden: violates PodSecurity "restricted:latest": privileged (container "p${version.replace('.', '')}" must not set securityContext.privileged=true)`);
      const warned = admin(['-n', 'watched', 'run', `w${version.replace('.', '')}`, '--image=nginx', '--privileged'], version);
      expect(warned.code, warned.stderr).toBe(0);
      expect(warned.stderr).toContain('Warning: would violate PodSecurity "baseline:latest": privileged');
    }
    expect(admin(['create', 'ns', 'psaudit']).code).toBe(0);
    expect(admin(['label', 'ns', 'psaudit', 'pod-security.kubernetes.io/audit=baseline', 'pod-security.kubernetes.io/audit-version=v1.30']).code).toBe(0);
    const audited = admin(['-n', 'psaudit', 'run', 'loud', '--image=nginx', '--privileged']);
    expect(audited.code, audited.stderr).toBe(0);
    expect(audited.stderr).not.toContain('Warning');
    type Ev = { verb: string; objectRef?: { namespace?: string; name?: string; resource?: string }; annotations?: Record<string, string> };
    let ev: Ev | undefined;
    for (let i = 0; i < 20 && !ev; i++) {
      ev = auditEvents<Ev>().find((e) => e.verb === 'create' && e.objectRef?.resource === 'pods' && e.objectRef.namespace === 'psaudit' && e.objectRef.name === 'loud');
      if (!ev) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ev?.annotations?.['pod-security.kubernetes.io/audit-violations']).toBe('would violate PodSecurity "baseline:v1.30": privileged (container "loud" must not set securityContext.privileged=true)');
    expect(ev?.annotations?.['pod-security.kubernetes.io/enforce-policy']).toBe('privileged:latest');
  });
});

describe('CEL: CRD x-kubernetes-validations', () => {
  const crd = (rules: string, listBound = '') => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
${rules}
            properties:
              replicas: {type: integer}
              minReplicas: {type: integer}
              maxReplicas: {type: integer}
              hosts: {type: array, ${listBound} items: {type: string, maxLength: 63}}
              schedule:
                type: string
                x-kubernetes-validations:
                - {rule: "self == oldSelf", message: "schedule is immutable"}
`;
  const RANGE = `            - rule: "self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas"
              message: "replicas should be in the range minReplicas..maxReplicas."`;
  const tab = (name: string, replicas: number, schedule = '* * * * *') =>
    `apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: ${name}, namespace: cel}\nspec: {minReplicas: 1, maxReplicas: 5, replicas: ${replicas}, schedule: "${schedule}"}\n`;
  const apply = async (yaml: string, version = '1.33') => settled(kubectl(server().kubeconfig, ['apply', '-f', '-'], { version, input: yaml }));

  it('a CRD whose rule does not compile or costs too much is refused; a bad object gets the rule message; a transition rule refuses a bad update', async () => {
    const broken = await apply(crd('            - rule: "self.replicas >"'));
    expect(broken.stderr).toContain('spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replicas >"');
    expect(broken.stderr).toContain('compilation failed: ERROR: <input>:1:');
    const costly = await apply(crd('            - rule: "self.hosts.all(a, self.hosts.all(b, a == b || a != b))"'));
    expect(costly.stderr).toContain('x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)');
    const good = await apply(crd(`${RANGE}\n            - rule: "!has(self.hosts) || self.hosts.all(a, self.hosts.all(b, a == b || a != b))"`, 'maxItems: 20,'));
    expect(good.code, good.stderr).toBe(0);
    expect((await adminAsync(['create', 'ns', 'cel'])).code).toBe(0);
    let established = '';
    for (let i = 0; i < 40 && established !== 'True'; i++) {
      established = (await adminAsync(['get', 'crd', 'crontabs.stable.example.com', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'])).stdout;
      if (established !== 'True') await new Promise((r) => setTimeout(r, 250));
    }
    for (const version of VERSIONS) {
      const bad = await apply(tab(`bad${version.replace('.', '')}`, 9), version);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain(`is invalid: spec: Invalid value: "object": replicas should be in the range minReplicas..maxReplicas.`);
    }
    expect((await apply(tab('ok', 2))).code).toBe(0);
    for (const version of VERSIONS) {
      // A merge patch, not apply: apply of an existing object first reads /openapi/v2 (slow to build under load).
      const changed = await adminAsync(['-n', 'cel', 'patch', 'crontab', 'ok', '--type=merge', '-p', '{"spec":{"replicas":3,"schedule":"*/5 * * * *"}}'], version);
      expect(changed.code).not.toBe(0);
      expect(changed.stderr).toContain('The CronTab "ok" is invalid: spec.schedule: Invalid value: "string": schedule is immutable');
    }
    expect((await adminAsync(['-n', 'cel', 'patch', 'crontab', 'ok', '--type=merge', '-p', '{"spec":{"replicas":3}}'])).code).toBe(0);
    expect((await adminAsync(['-n', 'cel', 'get', 'crontab', 'ok', '-o', 'jsonpath={.spec.replicas}'])).stdout).toBe('3');
  });
});

describe('CEL: ValidatingAdmissionPolicy', () => {
  it('a policy bound with Deny refuses an object with upstream message, Warn warns, the namespace selector scopes it', async () => {
    const policy = await applyYaml(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: demo-policy.example.com}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  validations:
  - expression: "object.spec.replicas <= 5"
  - expression: "!object.metadata.name.startsWith('tmp-')"
    messageExpression: "'name ' + object.metadata.name + ' looks temporary'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: demo-binding-test.example.com}
spec:
  policyName: demo-policy.example.com
  validationActions: [Deny]
  matchResources:
    namespaceSelector: {matchLabels: {environment: test}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: demo-binding-warn.example.com}
spec:
  policyName: demo-policy.example.com
  validationActions: [Warn]
  matchResources:
    namespaceSelector: {matchLabels: {environment: staging}}
`);
    expect(policy.code, policy.stderr).toBe(0);
    for (const [ns, env] of [['vap-test', 'test'], ['vap-staging', 'staging'], ['vap-free', 'none']]) {
      expect((await adminAsync(['create', 'ns', ns!])).code).toBe(0);
      expect((await adminAsync(['label', 'ns', ns!, `environment=${env}`])).code).toBe(0);
    }
    for (const version of VERSIONS) {
      const refused = await adminAsync(['-n', 'vap-test', 'create', 'deployment', `big${version.replace('.', '')}`, '--image=nginx', '--replicas=6'], version);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5`);
    }
    const tmp = await adminAsync(['-n', 'vap-test', 'create', 'deployment', 'tmp-x', '--image=nginx']);
    expect(tmp.stderr).toContain("denied request: name tmp-x looks temporary");
    expect((await adminAsync(['-n', 'vap-test', 'create', 'deployment', 'small', '--image=nginx', '--replicas=2'])).code).toBe(0);
    const warned = await adminAsync(['-n', 'vap-staging', 'create', 'deployment', 'big', '--image=nginx', '--replicas=6']);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain("Warning: Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-warn.example.com': failed expression: object.spec.replicas <= 5");
    expect((await adminAsync(['-n', 'vap-free', 'create', 'deployment', 'big', '--image=nginx', '--replicas=6'])).code).toBe(0);
    const broken = await applyYaml(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: broken.example.com}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]}
  validations: [{expression: "object.spec.replicas <="}]
`);
    expect(broken.stderr).toContain('spec.validations[0].expression: Invalid value: "object.spec.replicas <=": compilation failed: ERROR: <input>:1:');
  });
});

describe('plugins under their own identities', () => {
  const DC = 'system:controller:deployment-controller';
  const dc = 'system:serviceaccount:kube-system:deployment-controller';
  const until = async (what: string, cond: () => boolean, ms = 90_000) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 500));
    expect(cond(), what).toBe(true);
  };
  const count = (args: string[]) => admin(['-n', 'plugins', 'get', ...args, '-o', 'name']).stdout.split('\n').filter(Boolean).length;
  const rs = (name: string) => `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: ${name}, namespace: plugins}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: nginx}]}\n`;

  it('each controller acts as its upstream ServiceAccount, holds only its role, and a permission taken away fails that controller alone with a logged 403', async () => {
    expect(admin(['create', 'ns', 'plugins']).code).toBe(0);
    // The controllers hold upstream's roles and nothing more.
    expect(admin(['auth', 'can-i', 'create', 'replicasets', '-n', 'plugins', `--as=${dc}`]).stdout.trim()).toBe('yes');
    expect(admin(['auth', 'can-i', 'create', 'pods', '-n', 'plugins', `--as=${dc}`]).stdout.trim()).toBe('no');
    expect(admin(['auth', 'can-i', 'create', 'bindings', '-n', 'plugins', '--as=system:kube-scheduler']).stdout.trim()).toBe('yes');
    expect(admin(['auth', 'can-i', 'delete', 'nodes', '--as=system:kube-scheduler']).stdout.trim()).toBe('no');
    // With RBAC on, a Deployment gets its ReplicaSet (deployment controller) and its pods (replicaset controller).
    expect(admin(['-n', 'plugins', 'create', 'deployment', 'before', '--image=nginx', '--replicas=2']).code).toBe(0);
    await until('deployment "before" has 2 pods', () => count(['pods', '-l', 'app=before']) === 2);

    const role = JSON.parse(admin(['get', 'clusterrole', DC, '-o', 'json']).stdout) as { rules: { resources?: string[]; verbs: string[] }[] };
    const original = JSON.stringify(role);
    for (const rule of role.rules) if (rule.resources?.includes('replicasets')) rule.verbs = rule.verbs.filter((v) => v !== 'create');
    expect(kubectl(server().kubeconfig, ['replace', '-f', '-'], { input: JSON.stringify(role) }).code).toBe(0);
    expect(admin(['auth', 'can-i', 'create', 'replicasets', '-n', 'plugins', `--as=${dc}`]).stdout.trim()).toBe('no');

    expect(admin(['-n', 'plugins', 'create', 'deployment', 'after', '--image=nginx']).code).toBe(0);
    expect(kubectl(server().kubeconfig, ['create', '-f', '-'], { input: rs('direct') }).code).toBe(0);
    const denied = `replicasets.apps is forbidden: User \\"${dc}\\" cannot create resource \\"replicasets\\" in API group \\"apps\\" in the namespace \\"plugins\\"`;
    await until('the deployment controller logs the 403', () => server().output().includes(denied));
    // The other controllers go on: the replicaset controller makes the direct ReplicaSet's pods, the
    // deployment controller still scales the ReplicaSet it may update.
    await until('replicaset "direct" has 2 pods', () => count(['pods', '-l', 'app=direct']) === 2);
    expect(admin(['-n', 'plugins', 'scale', 'deployment', 'before', '--replicas=3']).code).toBe(0);
    await until('deployment "before" has 3 pods', () => count(['pods', '-l', 'app=before']) === 3);
    expect(count(['replicasets', '-l', 'app=after'])).toBe(0);

    // Given back, the permission lets the Deployment that waited get its ReplicaSet.
    const back = JSON.parse(original) as { metadata: Record<string, unknown> };
    delete back.metadata.resourceVersion;
    expect(kubectl(server().kubeconfig, ['replace', '-f', '-'], { input: JSON.stringify(back) }).code).toBe(0);
    await until('deployment "after" gets its ReplicaSet', () => count(['replicasets', '-l', 'app=after']) === 1);
  });
});

describe('admission webhooks over HTTPS', () => {
  // The test is the webhook author: its own CA (not the cluster's), a serving certificate for the
  // Service name and for 127.0.0.1, and a server that denies ConfigMaps labelled reject=yes,
  // labels the ones it mutates, and never answers on /slow.
  const ca = createCA('webhook-test-ca');
  const cert = issueCert(ca, { subject: { commonName: 'hook.hooks.svc' }, dnsNames: ['hook.hooks.svc'], ips: ['127.0.0.1'], server: true });
  const caBundle = Buffer.from(ca.certPem).toString('base64');
  const seen: string[] = [];
  let hook: Server | undefined;
  let port = 0;
  afterAll(() => new Promise<void>((r) => (hook ? hook.close(() => r()) : r())));
  // kubectl without blocking this process: the webhook server answers from the test's own event loop.
  const run = (args: string[], opts: { version?: string; input?: string } = {}) =>
    new Promise<KubectlResult>((resolve) => {
      const p = spawn(kubectlBinary(opts.version ?? '1.33'), ['--kubeconfig', server().kubeconfig, ...args]);
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (c) => (stdout += c));
      p.stderr.on('data', (c) => (stderr += c));
      p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      p.stdin.end(opts.input ?? '');
    });
  const apply = async (yaml: string) => {
    const r = await run(['apply', '-f', '-'], { input: yaml });
    expect(r.code, r.stderr).toBe(0);
  };

  it('a validating webhook rejects one object, a mutating one (through a Service) patches another, selectors choose; down, failurePolicy decides', async () => {
    hook = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url?.startsWith('/slow')) return; // never answers: the call times out
        const review = JSON.parse(body) as { request: { uid: string; name?: string; object: { metadata: { labels?: Record<string, string> } } } };
        const { uid, name, object } = review.request;
        seen.push(`${req.url?.split('?')[0]} ${name}`);
        let response: object = { uid, allowed: true };
        if (req.url?.startsWith('/validate') && object.metadata.labels?.reject === 'yes') response = { uid, allowed: false, status: { code: 403, message: 'label reject=yes is not allowed here' } };
        if (req.url?.startsWith('/mutate')) {
          const ops = [...(object.metadata.labels ? [] : [{ op: 'add', path: '/metadata/labels', value: {} }]), { op: 'add', path: '/metadata/labels/mutated-by', value: 'webhook' }];
          response = { uid, allowed: true, warnings: ['mutated by the test webhook'], patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', () => r()));
    port = (hook.address() as AddressInfo).port;

    await apply(`apiVersion: v1
kind: Namespace
metadata: {name: hooks, labels: {webhooks: "on"}}
---
apiVersion: v1
kind: Service
metadata: {name: hook, namespace: hooks}
spec: {ports: [{name: https, port: 443, targetPort: ${port}}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: hook, namespace: hooks}
subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{name: https, port: ${port}}]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: deny}
webhooks:
- name: deny.example.com
  clientConfig: {url: "https://127.0.0.1:${port}/validate", caBundle: ${caBundle}}
  rules: [{operations: [CREATE, UPDATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps]}]
  objectSelector: {matchExpressions: [{key: reject, operator: Exists}]}
  sideEffects: None
  admissionReviewVersions: [v1]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: label}
webhooks:
- name: label.example.com
  clientConfig: {service: {namespace: hooks, name: hook, path: /mutate}, caBundle: ${caBundle}}
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps]}]
  namespaceSelector: {matchLabels: {webhooks: "on"}}
  sideEffects: None
  timeoutSeconds: 5
  admissionReviewVersions: [v1]
`);
    // Defaults as upstream's.
    expect((await run(['get', 'mutatingwebhookconfiguration', 'label', '-o', 'jsonpath={.webhooks[0].failurePolicy} {.webhooks[0].reinvocationPolicy} {.webhooks[0].clientConfig.service.port}'])).stdout).toBe('Fail Never 443');

    const created = await run(['-n', 'hooks', 'create', 'configmap', 'mutated', '--from-literal=k=v']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain('Warning: mutated by the test webhook');
    expect((await run(['-n', 'hooks', 'get', 'cm', 'mutated', '-o', 'jsonpath={.metadata.labels.mutated-by}'])).stdout).toBe('webhook');
    // Outside the selected namespace the mutating webhook is not called.
    expect((await run(['-n', 'default', 'create', 'configmap', 'plain', '--from-literal=k=v'])).code).toBe(0);
    expect((await run(['-n', 'default', 'get', 'cm', 'plain', '-o', 'jsonpath={.metadata.labels}'])).stdout).toBe('');
    expect(seen).toEqual(['/mutate mutated']);

    for (const version of VERSIONS) {
      const refused = await run(['create', '-f', '-'], { version, input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: hooks, labels: {reject: "yes"}}\n' });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('admission webhook "deny.example.com" denied the request: label reject=yes is not allowed here');
    }
    expect((await run(['-n', 'hooks', 'get', 'cm', 'bad'])).code).not.toBe(0);

    // A webhook that does not answer in timeoutSeconds fails the request (failurePolicy Fail).
    await apply(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: slow}
webhooks:
- name: slow.example.com
  clientConfig: {url: "https://127.0.0.1:${port}/slow", caBundle: ${caBundle}}
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [secrets]}]
  sideEffects: None
  timeoutSeconds: 2
  admissionReviewVersions: [v1]
`);
    const slow = await run(['-n', 'hooks', 'create', 'secret', 'generic', 's', '--from-literal=k=v']);
    expect(slow.stderr).toContain(`Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "https://127.0.0.1:${port}/slow?timeout=2s": context deadline exceeded`);
    expect((await run(['delete', 'validatingwebhookconfiguration', 'slow'])).code).toBe(0);

    // Down: failurePolicy Fail refuses the write, Ignore lets it through unmutated.
    await new Promise<void>((r) => hook!.close(() => r()));
    hook = undefined;
    const down = await run(['-n', 'hooks', 'create', 'configmap', 'while-down', '--from-literal=k=v']);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain('Internal error occurred: failed calling webhook "label.example.com": failed to call webhook: Post "https://hook.hooks.svc:443/mutate?timeout=5s"');
    expect(down.stderr).toContain('connect ECONNREFUSED');
    expect((await run(['patch', 'mutatingwebhookconfiguration', 'label', '--type=json', '-p', '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]'])).code).toBe(0);
    const ignored = await run(['-n', 'hooks', 'create', 'configmap', 'while-down', '--from-literal=k=v']);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect((await run(['-n', 'hooks', 'get', 'cm', 'while-down', '-o', 'jsonpath={.metadata.labels}'])).stdout).toBe('');
  });
});

describe('CEL: ValidatingAdmissionPolicy params and audit', () => {
  it('params from a ConfigMap limit a deployment, a missing param denies by parameterNotFoundAction, and Audit and auditAnnotations reach the audit log', async () => {
    const applied = await applyYaml(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: replica-limit.example.com}
spec:
  failurePolicy: Fail
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
  - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
    messageExpression: "'at most ' + params.data.maxReplicas + ' replicas here'"
  auditAnnotations:
  - {key: replicas, valueExpression: "'asked for ' + string(object.spec.replicas)"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: replica-limit-binding.example.com}
spec:
  policyName: replica-limit.example.com
  validationActions: [Deny, Audit]
  paramRef: {name: replica-limit, parameterNotFoundAction: Deny}
  matchResources:
    namespaceSelector: {matchLabels: {limits: "on"}}
`);
    expect(applied.code, applied.stderr).toBe(0);
    for (const args of [['create', 'ns', 'vap-params'], ['label', 'ns', 'vap-params', 'limits=on'], ['-n', 'vap-params', 'create', 'configmap', 'replica-limit', '--from-literal=maxReplicas=3']]) expect((await adminAsync(args)).code).toBe(0);
    const refused = await adminAsync(['-n', 'vap-params', 'create', 'deployment', 'big', '--image=nginx', '--replicas=4']);
    expect(refused.stderr).toContain("ValidatingAdmissionPolicy 'replica-limit.example.com' with binding 'replica-limit-binding.example.com' denied request: at most 3 replicas here");
    expect((await adminAsync(['-n', 'vap-params', 'create', 'deployment', 'small', '--image=nginx', '--replicas=2'])).code).toBe(0);
    expect((await adminAsync(['-n', 'vap-params', 'delete', 'configmap', 'replica-limit'])).code).toBe(0);
    const noParams = await adminAsync(['-n', 'vap-params', 'create', 'deployment', 'later', '--image=nginx', '--replicas=1']);
    expect(noParams.stderr).toContain('denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction');
    type Ev = { verb: string; objectRef?: { namespace?: string; name?: string }; annotations?: Record<string, string> };
    const events = auditEvents<Ev>().filter((e) => e.verb === 'create' && e.objectRef?.namespace === 'vap-params');
    const small = events.find((e) => e.objectRef?.name === 'small');
    expect(small?.annotations).toEqual({ 'replica-limit.example.com/replicas': 'asked for 2' });
    const big = events.find((e) => e.objectRef?.name === 'big');
    expect(big?.annotations?.['replica-limit.example.com/replicas']).toBe('asked for 4');
    expect(JSON.parse(big?.annotations?.['validation.policy.admission.k8s.io/validation_failure'] ?? '[]')).toEqual([
      { message: 'at most 3 replicas here', policy: 'replica-limit.example.com', binding: 'replica-limit-binding.example.com', expressionIndex: 0, validationActions: ['Deny', 'Audit'] },
    ]);
  });
});

describe('CEL: ValidatingAdmissionPolicy authorizer, matchPolicy, write checks', () => {
  it('the authorizer variable asks RBAC about the requester; a rule for autoscaling/v2 judges a v1 request (Equivalent); a bad auditAnnotation is refused; a misspelt field is reported in status.typeChecking', async () => {
    const applied = await applyYaml(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: scale-rights.example.com}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
    namespaceSelector: {matchLabels: {authz: "on"}}
  validations:
  - expression: "object.spec.replicas <= 2 || authorizer.group('apps').resource('deployments').subresource('scale').namespace(request.namespace).check('update').allowed()"
    messageExpression: "request.userInfo.username + ' may not scale deployments, so at most 2 replicas'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: scale-rights-binding.example.com}
spec: {policyName: scale-rights.example.com, validationActions: [Deny]}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: cpu-target.example.com}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [autoscaling], apiVersions: [v2], operations: [CREATE], resources: [horizontalpodautoscalers]}
    namespaceSelector: {matchLabels: {authz: "on"}}
  validations:
  - expression: "object.spec.metrics.all(m, m.type != 'Resource' || m.resource.target.averageUtilization <= 80)"
    messageExpression: "'cpu target over 80, asked as ' + request.requestKind.version + ', judged as ' + request.kind.version"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: cpu-target-binding.example.com}
spec: {policyName: cpu-target.example.com, validationActions: [Deny]}
`);
    expect(applied.code, applied.stderr).toBe(0);
    for (const args of [['create', 'ns', 'vap-authz'], ['label', 'ns', 'vap-authz', 'authz=on'], ['-n', 'vap-authz', 'create', 'role', 'deployer', '--verb=create,get', '--resource=deployments'], ['-n', 'vap-authz', 'create', 'rolebinding', 'alice-deployer', '--role=deployer', '--user=alice']]) {
      const r = await adminAsync(args);
      expect(r.code, r.stderr).toBe(0);
    }
    const refused = await settled(as('alice-token', ['-n', 'vap-authz', 'create', 'deployment', 'wide', '--image=nginx', '--replicas=3']));
    expect(refused.stderr).toContain("ValidatingAdmissionPolicy 'scale-rights.example.com' with binding 'scale-rights-binding.example.com' denied request: alice may not scale deployments, so at most 2 replicas");
    expect((await settled(as('alice-token', ['-n', 'vap-authz', 'create', 'deployment', 'narrow', '--image=nginx', '--replicas=2']))).code).toBe(0);
    expect((await adminAsync(['-n', 'vap-authz', 'create', 'deployment', 'wide', '--image=nginx', '--replicas=3'])).code).toBe(0);
    const hpa = await adminAsync(['-n', 'vap-authz', 'autoscale', 'deployment', 'wide', '--max=5', '--cpu-percent=90']);
    expect(hpa.stderr).toContain("ValidatingAdmissionPolicy 'cpu-target.example.com' with binding 'cpu-target-binding.example.com' denied request: cpu target over 80, asked as v1, judged as v2"); // kubectl autoscale writes autoscaling/v1
    expect((await adminAsync(['-n', 'vap-authz', 'autoscale', 'deployment', 'wide', '--max=5', '--cpu-percent=70'])).code).toBe(0);
    const bad = await applyYaml(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: bad-annotation.example.com}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]}
  auditAnnotations: [{key: size, valueExpression: "string(object.spec.replicas"}]
`);
    expect(bad.stderr).toContain('spec.auditAnnotations[0].valueExpression: Invalid value: "string(object.spec.replicas": compilation failed: ERROR: <input>:1:');
    const net = await applyYaml(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: endpoints.example.com}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
    namespaceSelector: {matchLabels: {authz: "on"}}
  validations:
  - expression: "!has(object.data) || !('endpoint' in object.data) || (isURL(object.data['endpoint']) && url(object.data['endpoint']).getScheme() == 'https')"
    message: endpoint must be an https URL
  - expression: "!has(object.data) || !('peer' in object.data) || (isIP(object.data['peer']) && cidr('10.0.0.0/8').containsIP(object.data['peer']))"
    messageExpression: "'peer ' + object.data['peer'] + ' is outside 10.0.0.0/8'"
  - expression: "!has(object.data) || !('cache' in object.data) || (isQuantity(object.data['cache']) && quantity(object.data['cache']).isLessThan(quantity('1Gi')))"
    message: cache must be a quantity under 1Gi
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: endpoints-binding.example.com}
spec: {policyName: endpoints.example.com, validationActions: [Deny]}
`);
    expect(net.code, net.stderr).toBe(0);
    expect((await adminAsync(['-n', 'vap-authz', 'create', 'configmap', 'plain', '--from-literal=endpoint=http://x.example.com'])).stderr).toContain('denied request: endpoint must be an https URL');
    expect((await adminAsync(['-n', 'vap-authz', 'create', 'configmap', 'far', '--from-literal=peer=192.168.1.1'])).stderr).toContain('denied request: peer 192.168.1.1 is outside 10.0.0.0/8');
    expect((await adminAsync(['-n', 'vap-authz', 'create', 'configmap', 'big', '--from-literal=cache=2Gi'])).stderr).toContain('denied request: cache must be a quantity under 1Gi');
    expect((await adminAsync(['-n', 'vap-authz', 'create', 'configmap', 'good', '--from-literal=endpoint=https://x.example.com', '--from-literal=peer=10.1.2.3', '--from-literal=cache=512Mi'])).code).toBe(0);
    expect((await adminAsync(['delete', 'validatingadmissionpolicybinding', 'endpoints-binding.example.com'])).code).toBe(0);
    const typo = await applyYaml(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: typo.example.com}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]}
  validations: [{expression: "object.spec.replica <= 5"}]
`);
    expect(typo.code, typo.stderr).toBe(0);
    const tc = JSON.parse((await adminAsync(['get', 'validatingadmissionpolicy', 'typo.example.com', '-o', 'jsonpath={.status}'])).stdout);
    expect(tc).toEqual({ observedGeneration: 1, typeChecking: { expressionWarnings: [{ fieldRef: 'spec.validations[0].expression', warning: "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replica'\n | object.spec.replica <= 5\n | ...........^" }] } });
    for (const name of ['scale-rights', 'cpu-target']) expect((await adminAsync(['delete', 'validatingadmissionpolicybinding', `${name}-binding.example.com`])).code).toBe(0);
  });
});

describe('audit log', () => {
  type Ev = { level: string; stage: string; verb: string; user: { username?: string }; objectRef?: { resource?: string; namespace?: string; name?: string }; responseStatus?: { code: number; message?: string }; requestObject?: { data?: Record<string, string> }; responseObject?: unknown };
  const events = () => auditEvents<Ev>();
  const find = (pred: (e: Ev) => boolean) => events().find(pred);

  it('records requests at the level the policy gives them, as audit.k8s.io/v1 Events, the plugins\' in-process calls too, and rotates', async () => {
    expect(admin(['create', 'ns', 'audited']).code).toBe(0);
    expect(admin(['-n', 'audited', 'create', 'configmap', 'seen', '--from-literal=color=blue']).code).toBe(0);
    expect(admin(['-n', 'audited', 'create', 'secret', 'generic', 'hidden', '--from-literal=password=hunter2']).code).toBe(0);
    expect(as('alice-token', ['-n', 'audited', 'get', 'pods']).code).not.toBe(0);

    const cm = find((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.objectRef.namespace === 'audited' && e.objectRef.name === 'seen');
    expect(cm).toMatchObject({ level: 'RequestResponse', stage: 'ResponseComplete', user: { username: 'kubernetes-admin' }, responseStatus: { code: 201 }, requestObject: { data: { color: 'blue' } }, responseObject: { metadata: { name: 'seen' } } });
    const secret = find((e) => e.verb === 'create' && e.objectRef?.resource === 'secrets' && e.objectRef.namespace === 'audited');
    expect(secret).toMatchObject({ level: 'Metadata', responseStatus: { code: 201 } });
    expect(secret).not.toHaveProperty('requestObject');
    expect(JSON.stringify(events())).not.toContain(Buffer.from('hunter2').toString('base64'));
    // alice's list is refused: Request level (her rule; the first matching rule decides), with the 403's message.
    const denied = find((e) => e.user.username === 'alice' && e.verb === 'list');
    expect(denied).toMatchObject({ level: 'Request', objectRef: { resource: 'pods', namespace: 'audited' }, responseStatus: { code: 403 } });
    expect(denied!.responseStatus!.message).toBe('pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "audited"');
    // omitStages: [RequestReceived]; health checks are level None.
    expect(events().some((e) => e.stage === 'RequestReceived')).toBe(false);
    expect(events().some((e) => e.verb === 'get' && !e.objectRef && JSON.stringify(e).includes('/readyz'))).toBe(false);

    // The serviceaccount controller's in-process create of the namespace's default account is audited as its own user.
    type Plugin = Ev & { sourceIPs?: string[]; requestURI?: string };
    let sa: Plugin | undefined;
    for (let i = 0; i < 40 && !sa; i++) {
      sa = find((e) => e.verb === 'create' && e.objectRef?.resource === 'serviceaccounts' && e.objectRef.namespace === 'audited') as Plugin | undefined;
      if (!sa) await new Promise((r) => setTimeout(r, 250));
    }
    expect(sa).toMatchObject({ level: 'Metadata', stage: 'ResponseComplete', user: { username: 'system:serviceaccount:kube-system:service-account-controller' }, sourceIPs: ['127.0.0.1'], requestURI: '/api/v1/namespaces/audited/serviceaccounts', objectRef: { name: 'default' }, responseStatus: { code: 201 } });
    // Three ConfigMaps of ~400 KB at RequestResponse (~800 KB an event) pass --audit-log-maxsize 1 (MB)
    // more than once; --audit-log-maxbackup 1 keeps one rotated file beside the live one.
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'x'.repeat(400 * 1024));
    for (const name of ['big1', 'big2', 'big3']) expect(admin(['-n', 'audited', 'create', 'configmap', name, `--from-file=${big}`]).code).toBe(0);
    const files = readdirSync(join(dir, 'audit')).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/);
    expect(files[1]).toBe('audit.log');
    expect(find((e) => e.verb === 'create' && e.objectRef?.name === 'big3')).toMatchObject({ level: 'RequestResponse' });
  });
});
