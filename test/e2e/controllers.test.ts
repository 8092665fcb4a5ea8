import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useKplane } from './harness.js';
import { WRITE_VERSIONS, kubectlFor, tag, type Obj } from './write-helpers.js';

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

/** Polls fn (which may throw) until it returns true; fails with the last error after ms. */
async function eventually(fn: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (fn()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`not true after ${ms} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const version of WRITE_VERSIONS) {
  describe(`kubectl ${version} and the housekeeping controllers`, () => {
    const k = kubectlFor(() => server().kubeconfig, version);
    const ns = `hk-${tag(version)}`;
    const n = ['-n', ns];

    it('a new namespace gets the default ServiceAccount and kube-root-ca.crt', async () => {
      k.ok(['create', 'namespace', ns]);
      await eventually(() => k.run([...n, 'get', 'serviceaccount', 'default']).code === 0 && k.run([...n, 'get', 'configmap', 'kube-root-ca.crt']).code === 0);
      const ca = k.get(ns, 'configmap', 'kube-root-ca.crt').data['ca.crt'] as string;
      expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    });

    it('delete --cascade=foreground removes the dependents, then the owner', () => {
      const uid = (JSON.parse(k.ok([...n, 'create', 'configmap', 'fg-owner', '-o', 'json'])) as Obj).metadata.uid;
      for (const d of ['fg-a', 'fg-b']) {
        k.ok([...n, 'apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: d, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid, blockOwnerDeletion: true }] } }) });
      }
      k.ok([...n, 'delete', 'configmap', 'fg-owner', '--cascade=foreground', '--timeout=60s']);
      for (const name of ['fg-owner', 'fg-a', 'fg-b']) expect(k.run([...n, 'get', 'configmap', name]).stderr).toContain('NotFound');
    });

    it('delete --cascade=orphan keeps the dependents without the owner reference', async () => {
      const uid = (JSON.parse(k.ok([...n, 'create', 'configmap', 'or-owner', '-o', 'json'])) as Obj).metadata.uid;
      k.ok([...n, 'apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'or-kid', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'or-owner', uid }] } }) });
      k.ok([...n, 'delete', 'configmap', 'or-owner', '--cascade=orphan', '--timeout=60s']);
      expect(k.run([...n, 'get', 'configmap', 'or-owner']).stderr).toContain('NotFound');
      expect(k.get(ns, 'configmap', 'or-kid').metadata.ownerReferences ?? []).toEqual([]);
      // Background (the default) takes a dependent with its owner.
      const bg = (JSON.parse(k.ok([...n, 'create', 'configmap', 'bg-owner', '-o', 'json'])) as Obj).metadata.uid;
      k.ok([...n, 'apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bg-kid', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'bg-owner', uid: bg }] } }) });
      k.ok([...n, 'delete', 'configmap', 'bg-owner']);
      await eventually(() => k.run([...n, 'get', 'configmap', 'bg-kid']).stderr.includes('NotFound'));
    });

    it('a Service with a selector gets Endpoints and an EndpointSlice of its matching pods', async () => {
      k.ok([...n, 'create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
      k.ok([...n, 'run', 'web-1', '--image=nginx', '--labels=app=web', '--port=8080']);
      k.ok([...n, 'run', 'web-2', '--image=nginx', '--labels=app=web', '--port=8080']);
      k.ok([...n, 'run', 'db', '--image=postgres', '--labels=app=db']);
      const status = (ip: string, ready: boolean) =>
        JSON.stringify({ status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
      k.ok([...n, 'patch', 'pod', 'web-1', '--subresource=status', '--type=merge', '-p', status('10.244.0.11', true)]);
      k.ok([...n, 'patch', 'pod', 'web-2', '--subresource=status', '--type=merge', '-p', status('10.244.0.12', false)]);
      k.ok([...n, 'patch', 'pod', 'db', '--subresource=status', '--type=merge', '-p', status('10.244.0.13', true)]);
      await eventually(() => {
        const ep = k.get(ns, 'endpoints', 'web');
        const s = (ep.subsets ?? [])[0] ?? {};
        return s.addresses?.[0]?.ip === '10.244.0.11' && s.notReadyAddresses?.[0]?.ip === '10.244.0.12';
      });
      const ep = k.get(ns, 'endpoints', 'web');
      expect(ep.subsets).toHaveLength(1);
      expect(ep.subsets[0].ports).toEqual([{ name: '80-8080', port: 8080, protocol: 'TCP' }]);
      expect(ep.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time']).toMatch(/^\d{4}-/);
      const slices = k.get(ns, 'endpointslices', '-l', 'kubernetes.io/service-name=web').items as Obj[];
      expect(slices).toHaveLength(1);
      const eps = (slices[0]!.endpoints as Obj[]).map((e) => `${e.addresses[0]} ${e.conditions.ready} ${e.targetRef.name}`).sort();
      expect(eps).toEqual(['10.244.0.11 true web-1', '10.244.0.12 false web-2']);
      expect(k.ok([...n, 'get', 'endpoints', 'web'])).toContain('10.244.0.11:8080');
    });

    it('delete namespace with configmaps, secrets, a deployment and custom resources returns, and the name is free again', async () => {
      if (k.run(['get', 'crd', 'sprockets.e2e.example.com']).code !== 0) k.run(['apply', '-f', '-'], { input: CRD });
      await eventually(() => k.run(['get', 'crd', 'sprockets.e2e.example.com']).code === 0);
      k.ok([...n, 'create', 'secret', 'generic', 's', '--from-literal=a=b']);
      k.ok([...n, 'create', 'deployment', 'd', '--image=nginx']);
      await eventually(() => k.run([...n, 'apply', '-f', '-'], { input: 'apiVersion: e2e.example.com/v1\nkind: Sprocket\nmetadata: {name: sp}\n' }).code === 0);
      const started = Date.now();
      k.ok(['delete', 'namespace', ns, '--timeout=60s']);
      const took = Date.now() - started;
      expect(k.run(['get', 'namespace', ns]).stderr).toContain('NotFound');
      expect(took).toBeLessThan(30_000);
      k.ok(['create', 'namespace', ns]);
      expect(k.ok([...n, 'get', 'sprockets,configmaps,secrets,deployments', '-o', 'name'])).not.toMatch(/sprocket\/sp|secret\/s\b|deployment/);
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
