import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCA, issueCert } from '../app/pki.js';
import { createMemoryBackend } from '../backends/memory/index.js';
import { createCatalog, createHandler, type RegistryHandler } from '../registry/index.js';
import { builtinDefinitions } from '../registry/resources/index.js';
import { createObjectStore } from '../storage/index.js';
import { createApiServer, listen, type ApiServer } from './index.js';
import { testVersion } from './testing/harness.js';

// The apiserver over the real registry (generic Store, built-in definitions, memory backend) with
// TLS and client-certificate authentication, driven by real kubectl binaries when present.

const KUBECTL_DIRS = [...(process.env.PATH ?? '').split(':'), '/usr/lib/google-cloud-sdk/bin'];
function kubectlBinary(version: string): string | undefined {
  for (const dir of KUBECTL_DIRS) {
    const p = join(dir, `kubectl.${version}`);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const SYSTEM = { name: 'system:apiserver', groups: ['system:masters'] };

let app: ApiServer;
let handler: RegistryHandler;
let url: string;
let dir: string;
let kubeconfig: string;
let adminCert: { certPem: string; keyPem: string };

beforeAll(async () => {
  const ca = createCA();
  const serving = issueCert(ca, { subject: { commonName: 'kplane' }, ips: ['127.0.0.1'], server: true });
  adminCert = issueCert(ca, { subject: { commonName: 'admin', organizations: ['system:masters'] }, client: true });
  const catalog = createCatalog(builtinDefinitions());
  handler = createHandler({ catalog, objectStore: createObjectStore(createMemoryBackend()) });
  for (const name of ['default', 'kube-system']) {
    await handler.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'namespaces', verb: 'create', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, params: {} });
  }
  app = createApiServer({ handler, catalog, version: testVersion, tls: { key: serving.keyPem, cert: serving.certPem, ca: ca.certPem } });
  url = (await listen(app, '127.0.0.1', 0)).url;
  dir = mkdtempSync(join(tmpdir(), 'kplane-apiserver-'));
  kubeconfig = join(dir, 'kubeconfig');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: kplane',
      '  cluster:',
      `    server: ${url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: admin',
      '  user:',
      `    client-certificate-data: ${b64(adminCert.certPem)}`,
      `    client-key-data: ${b64(adminCert.keyPem)}`,
      'contexts:',
      '- name: kplane',
      '  context: {cluster: kplane, user: admin, namespace: default}',
      'current-context: kplane',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function https(path: string, opts: { cert?: boolean; headers?: Record<string, string> } = {}) {
  const { request } = await import('node:https');
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { rejectUnauthorized: false, headers: opts.headers, ...(opts.cert ? { cert: adminCert.certPem, key: adminCert.keyPem } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS client-certificate authentication', () => {
  it('maps the certificate to a user; anonymous callers get 401 except on health endpoints', async () => {
    expect((await https('/api/v1/namespaces')).status).toBe(401);
    expect((await https('/readyz')).status).toBe(200);
    expect((await https('/version')).status).toBe(200);
    const ns = await https('/api/v1/namespaces', { cert: true });
    expect(ns.status).toBe(200);
    expect(JSON.parse(ns.body).items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['default', 'kube-system']);
  });

  it('serves the built-in Table columns (namespaces: Name, Status, Age)', async () => {
    const t = await https('/api/v1/namespaces', { cert: true, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    const table = JSON.parse(t.body);
    expect(table.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Status', 'Age']);
    expect(table.rows[0].cells.slice(0, 2)).toEqual(['default', 'Active']);
  });
});

function kubectl(version: string, args: string[], cacheDir = join(dir, `cache-${version}`)) {
  const bin = kubectlBinary(version)!;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(bin, [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// 1.27–1.31 send JSON bodies for `create cm`; 1.32 and later send Kubernetes protobuf.
for (const version of ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33']) {
  describe.skipIf(!kubectlBinary(version))(`kubectl ${version}`, () => {
    it('get ns, api-resources, create cm, get cm -o yaml', { timeout: 60_000 }, async () => {
      const ns = await kubectl(version, ['get', 'ns']);
      expect(ns.stderr).toBe('');
      expect(ns.stdout).toMatch(/^NAME\s+STATUS\s+AGE\ndefault\s+Active\s+\S+\nkube-system\s+Active/);
      const res = await kubectl(version, ['api-resources']);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/\nconfigmaps\s+cm\s+v1\s+true\s+ConfigMap\n/);
      expect(res.stdout).toMatch(/\nnamespaces\s+ns\s+v1\s+false\s+Namespace\n/);
      const name = `cm-${version.replace('.', '-')}`;
      const created = await kubectl(version, ['create', 'cm', name, '--from-literal=a=b']);
      expect(created.stderr).toBe('');
      expect(created.stdout.trim()).toBe(`configmap/${name} created`);
      const yaml = await kubectl(version, ['get', 'cm', name, '-o', 'yaml']);
      expect(yaml.stdout).toContain('data:\n  a: b\nkind: ConfigMap\n');
      expect(yaml.stdout).toContain(`  name: ${name}\n  namespace: default\n`);
      const del = await kubectl(version, ['delete', 'cm', name]);
      expect(del.stdout.trim()).toBe(`configmap "${name}" deleted`);
    });
  });
}

describe.skipIf(!kubectlBinary('1.33'))('kubectl get -w', () => {
  it('prints Table watch events and ends when the stream ends', { timeout: 60_000 }, async () => {
    const watching = kubectl('1.33', ['get', 'cm', '-w', '--request-timeout=4s']);
    await new Promise((r) => setTimeout(r, 1500));
    await handler.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'configmaps', namespace: 'default', verb: 'create', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' }, data: { x: 'y' } }, params: {} });
    const out = await watching;
    expect(out.stdout).toMatch(/watched\s+1\s+\S+/);
  });
});

describe('@kubernetes/client-node 1.x', () => {
  it('runs an informer (needs headers flushed before any event) and deletes with an empty JSON body', { timeout: 30_000 }, async () => {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const path = '/api/v1/namespaces/default/configmaps';
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: 'default' }));
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    informer.on('delete', (o) => deleted.push(o.metadata!.name!));
    informer.on('error', () => undefined);
    await informer.start(); // resolves only once the watch response headers arrived
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-node' }, data: { a: 'b' } } });
      await until(() => added.includes('from-node'));
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'from-node' });
      await until(() => deleted.includes('from-node'));
    } finally {
      await informer.stop();
    }
  });
});

async function until(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
