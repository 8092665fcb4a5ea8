import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kubectl, useKplane } from './harness.js';

// Client libraries other than kubectl: @kubernetes/client-node's informer (list + watch with
// bookmarks) and the Debian python3-kubernetes watch (sends watch=True, splits lines).
const server = useKplane();

async function until(cond: () => boolean, ms = 15_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
}

describe('@kubernetes/client-node informer', () => {
  it('starts, lists existing objects and receives add, update and delete events', async () => {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(server().kubeconfig);
    const api = kc.makeApiClient(k8s.CoreV1Api);
    await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'before' }, data: { a: '1' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => api.listNamespacedConfigMap({ namespace: 'default' }));
    const events: string[] = [];
    informer.on('add', (o) => events.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => events.push(`update ${o.metadata?.name} ${o.data?.a}`));
    informer.on('delete', (o) => events.push(`delete ${o.metadata?.name}`));
    await informer.start();
    try {
      expect(await until(() => events.includes('add before'))).toBe(true);
      await api.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'during' }, data: { a: '1' } } });
      await api.patchNamespacedConfigMap({ namespace: 'default', name: 'during', body: { data: { a: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await api.deleteNamespacedConfigMap({ namespace: 'default', name: 'during' });
      expect(await until(() => events.includes('delete during')), events.join(', ')).toBe(true);
      expect(events).toEqual(expect.arrayContaining(['add during', 'update during 2', 'delete during']));
      expect(informer.list('default').map((o) => o.metadata?.name)).toContain('before');
    } finally {
      await informer.stop();
    }
  });
});

const PY = '/usr/bin/python3';
// Debian's python3-kubernetes (installed by .ci/run); the test says it is skipped when absent.
const hasPythonClient = existsSync(PY) && spawnSync(PY, ['-c', 'import kubernetes']).status === 0;

describe.skipIf(!hasPythonClient)('python3-kubernetes watch', () => {
  it('streams events to kubernetes.watch.Watch', async () => {
    const script = `
import sys
from kubernetes import client, config, watch
config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
print("started", flush=True)
for ev in watch.Watch().stream(v1.list_namespaced_config_map, "default", timeout_seconds=20):
    print(ev["type"], ev["object"].metadata.name, flush=True)
    if ev["object"].metadata.name == "from-python-test" and ev["type"] == "DELETED":
        break
`;
    const p = spawn(PY, ['-c', script, server().kubeconfig]);
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    expect(await until(() => out.includes('started'))).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(kubectl(server().kubeconfig, ['create', 'cm', 'from-python-test']).code).toBe(0);
    expect(kubectl(server().kubeconfig, ['delete', 'cm', 'from-python-test']).code).toBe(0);
    const done = await until(() => out.includes('DELETED from-python-test'));
    p.kill();
    expect(done, out).toBe(true);
    expect(out).toContain('ADDED from-python-test');
  });
});
