import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubectlBinary, useKplane, type KubectlResult } from './harness.js';
import { WRITE_VERSIONS, tag, type Obj } from './write-helpers.js';

// The housekeeping controllers with real kubectl: namespace deletion (built-ins and custom
// resources), cascading deletion through the garbage collector, the default ServiceAccount and
// kube-root-ca.crt of every namespace, and Endpoints/EndpointSlices of a Service's pods.

const server = useKplane();

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: sprockets.e2e.example.com}
spec:
  group: e2e.example.com
  scope: Namespaced
  names: {plural: sprockets, singular: sprocket, kind: Sprocket}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

/** Runs a command without blocking the test worker (kubectl delete waits for the deletion). */
function exec(cmd: string, args: string[], input?: string, env: Record<string, string> = {}): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('error', (err) => (stderr += String(err)));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input ?? '');
  });
}

/** kubectl of one version against the file's server; `ok` expects exit 0 and returns stdout. */
function kubectlOf(version: string) {
  const run = (args: string[], input?: string) => {
    const kubeconfig = server().kubeconfig;
    return exec(kubectlBinary(version), ['--kubeconfig', kubeconfig, ...args], input, { HOME: join(dirname(kubeconfig), 'home') });
  };
  const ok = async (args: string[], input?: string) => {
    const r = await run(args, input);
    expect(r.code, `kubectl ${version} ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const get = async (ns: string | undefined, ...what: string[]) => JSON.parse(await ok([...(ns ? ['-n', ns] : []), 'get', ...what, '-o', 'json'])) as Obj;
  return { run, ok, get };
}

/** Polls fn (which may throw) until it resolves true; fails with the last error after ms. */
async function eventually(fn: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (await fn()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`not true after ${ms} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const cm = (name: string, owner?: { name: string; uid: string; block?: boolean }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner.name, uid: owner.uid, ...(owner.block ? { blockOwnerDeletion: true } : {}) }] } : {}) },
});
const list = (...items: Obj[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const names = (out: string) => out.split('\n').filter(Boolean).sort();

for (const version of WRITE_VERSIONS) {
  describe(`kubectl ${version} and the housekeeping controllers`, () => {
    const k = kubectlOf(version);
    const ns = `hk-${tag(version)}`;
    const n = ['-n', ns];
    /** Creates objects and returns their uids by name (kubectl prints one JSON document per object). */
    const create = async (...items: Obj[]) => {
      const out = await k.ok([...n, 'create', '-f', '-', '-o', 'json'], list(...items));
      return Object.fromEntries(out.split(/\n(?=\{)/).map((doc) => JSON.parse(doc) as Obj).map((o) => [o.metadata.name, o.metadata.uid as string]));
    };

    it('a new namespace gets the default ServiceAccount and kube-root-ca.crt', async () => {
      await k.ok(['create', 'namespace', ns]);
      await eventually(async () => (await k.run([...n, 'get', 'serviceaccount/default', 'configmap/kube-root-ca.crt'])).code === 0);
      expect((await k.get(ns, 'configmap', 'kube-root-ca.crt')).data['ca.crt']).toMatch(/^-----BEGIN CERTIFICATE-----/);
      // The controllers run under one Lease; every API server keeps its identity Lease.
      await eventually(async () => /kube-apiserver-[\s\S]*kube-controller-manager/.test(await k.ok(['get', 'lease', '-n', 'kube-system'])));
    });

    it('delete --cascade=foreground removes the dependents, then the owner', async () => {
      const { 'fg-owner': uid } = await create(cm('fg-owner'));
      await create(cm('fg-a', { name: 'fg-owner', uid: uid!, block: true }), cm('fg-b', { name: 'fg-owner', uid: uid!, block: true }));
      await k.ok([...n, 'delete', 'configmap', 'fg-owner', '--cascade=foreground', '--timeout=60s']);
      expect(await k.ok([...n, 'get', 'configmap', 'fg-owner', 'fg-a', 'fg-b', '--ignore-not-found', '-o', 'name'])).toBe('');
    });

    it('delete --cascade=orphan keeps the dependents without the owner reference; background takes them along', async () => {
      const uids = await create(cm('or-owner'), cm('bg-owner'));
      await create(cm('or-kid', { name: 'or-owner', uid: uids['or-owner']! }), cm('bg-kid', { name: 'bg-owner', uid: uids['bg-owner']! }));
      await k.ok([...n, 'delete', 'configmap', 'or-owner', '--cascade=orphan', '--timeout=60s']);
      await k.ok([...n, 'delete', 'configmap', 'bg-owner']);
      await eventually(async () => names(await k.ok([...n, 'get', 'configmap', 'or-owner', 'or-kid', 'bg-owner', 'bg-kid', '--ignore-not-found', '-o', 'name'])).join() === 'configmap/or-kid');
      expect((await k.get(ns, 'configmap', 'or-kid')).metadata.ownerReferences ?? []).toEqual([]);
    });

    it('a Service with a selector gets Endpoints and an EndpointSlice of its matching pods', async () => {
      const pod = (name: string, app: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } });
      const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } };
      await k.ok([...n, 'create', '-f', '-'], list(svc, pod('web-1', 'web'), pod('web-2', 'web'), pod('db', 'db')));
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const status = (ip: string, ready: boolean) => JSON.stringify({ status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }] } });
      for (const [name, ip, ready] of [['web-1', '10.244.0.11', true], ['web-2', '10.244.0.12', false], ['db', '10.244.0.13', true]] as const) {
        await k.ok([...n, 'patch', 'pod', name, '--subresource=status', '--type=merge', '-p', status(ip, ready)]);
      }
      let ep: Obj = {};
      await eventually(async () => {
        ep = await k.get(ns, 'endpoints', 'web');
        return ep.subsets?.[0]?.notReadyAddresses?.[0]?.ip === '10.244.0.12';
      });
      expect(ep.subsets).toMatchObject([{ addresses: [{ ip: '10.244.0.11', targetRef: { kind: 'Pod', name: 'web-1' } }], notReadyAddresses: [{ ip: '10.244.0.12' }], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] }]);
      expect(ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time']).toMatch(/^\d{4}-/);
      const slices = (await k.get(ns, 'endpointslices', '-l', 'kubernetes.io/service-name=web')).items as Obj[];
      expect(slices).toHaveLength(1);
      expect((slices[0]!.endpoints as Obj[]).map((e) => `${e.addresses[0]} ${e.conditions.ready} ${e.targetRef.name}`).sort()).toEqual(['10.244.0.11 true web-1', '10.244.0.12 false web-2']);
      expect(slices[0]!.ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    });

    it('delete namespace with configmaps, secrets, a deployment and custom resources returns, and the name is free again', async () => {
      await k.ok(['apply', '-f', '-'], CRD);
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } };
      const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
      const sprocket = { apiVersion: 'e2e.example.com/v1', kind: 'Sprocket', metadata: { name: 'sp' } };
      // The custom resource is served once the CRD is established (a moment after the create).
      await eventually(async () => (await k.run([...n, 'apply', '-f', '-'], list(secret, deploy, sprocket))).code === 0);
      const started = Date.now();
      await k.ok(['delete', 'namespace', ns, '--timeout=60s']);
      const took = Date.now() - started;
      console.log(`kubectl ${version} delete namespace with content: ${took} ms`);
      expect(took).toBeLessThan(30_000);
      await k.ok(['create', 'namespace', ns]);
      expect(await k.ok([...n, 'get', 'sprockets,secrets,deployments', '-o', 'name'])).toBe('');
    });
  });
}

const PY = '/usr/bin/python3';
const hasPythonClient = existsSync(PY) && spawnSync(PY, ['-c', 'import kubernetes']).status === 0;

describe.skipIf(!hasPythonClient)('python3-kubernetes namespace lifecycle', () => {
  it('creates, deletes and recreates the same namespace (as the client e2e suite does)', () => {
    const script = `
import sys, time
from kubernetes import client, config
from kubernetes.client.rest import ApiException
config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
name = "py-e2e"
body = client.V1Namespace(metadata=client.V1ObjectMeta(name=name))
for round in range(2):
    v1.create_namespace(body)
    v1.create_namespaced_config_map(name, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cm"), data={"a": "b"}))
    v1.delete_namespace(name)
    deadline = time.time() + 30
    while True:
        try:
            v1.read_namespace(name)
        except ApiException as e:
            if e.status == 404:
                break
            raise
        if time.time() > deadline:
            sys.exit("namespace still present after 30 s")
        time.sleep(0.2)
    print("round", round, "ok", flush=True)
`;
    const r = spawnSync(PY, ['-c', script, server().kubeconfig], { encoding: 'utf8', timeout: 90_000 });
    expect(r.stdout + r.stderr).toContain('round 1 ok');
  });
});
