import { afterAll, describe, expect, it } from 'vitest';
import { etcdBinary, NO_ETCD, startEtcdCluster, type EtcdCluster } from '../../internal/backends/etcd/testing/etcd-cluster.js';
import { kubectl, removeDir, startKplane, type RunningKplane } from './harness.js';

// A hollow node's owner dying is a real node failure: two kplane API servers on one etcd (as two
// kube-apiservers share one), each playing two hollow nodes. kill -9 of one makes its nodes NotReady
// with the unreachable taint (the node lifecycle controller on the survivor sees their Leases stop);
// the survivor's own nodes stay Ready.
const common = ['--datastore', 'etcd', '--node-monitor-grace-period', '4s', '--hollow-node-heartbeat', '1s', '--hollow-nodes', '2'];

describe.skipIf(!etcdBinary())('hollow node owner killed', () => {
  let etcd: EtcdCluster | undefined;
  const servers: RunningKplane[] = [];
  afterAll(async () => {
    for (const s of servers) {
      await s.stop();
      removeDir(s.dataDir);
    }
    await etcd?.close();
  });

  it('makes the nodes of a killed owner NotReady and leaves the others Ready', async () => {
    if (!etcdBinary()) throw new Error(NO_ETCD);
    etcd = await startEtcdCluster(1);
    const at = ['--etcd-servers', etcd.endpoints.join(',')];
    const a = await startKplane({ args: [...common, ...at, '--node-name', 'owner-a'] });
    servers.push(a);
    // The second server plays nodes only: the scheduler and controllers stay with the first.
    const b = await startKplane({ args: [...common, ...at, '--node-name', 'owner-b', '--plugins', 'hollow-nodes'] });
    servers.push(b);
    const nodes = () =>
      Object.fromEntries(
        kubectl(a.kubeconfig, ['get', 'nodes', '--no-headers'])
          .stdout.split('\n')
          .filter(Boolean)
          .map((l) => l.split(/\s+/).slice(0, 2) as [string, string]),
      );
    const until = async (what: string, f: () => boolean) => {
      const end = Date.now() + 60_000;
      while (!f()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(nodes())}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const names = ['hollow-owner-a-0', 'hollow-owner-a-1', 'hollow-owner-b-0', 'hollow-owner-b-1'];
    await until('four Ready hollow nodes', () => {
      const s = nodes();
      return names.every((n) => s[n] === 'Ready');
    });
    await b.kill();
    await until("owner-b's nodes NotReady", () => {
      const s = nodes();
      return s['hollow-owner-b-0'] === 'NotReady' && s['hollow-owner-b-1'] === 'NotReady';
    });
    const s = nodes();
    expect([s['hollow-owner-a-0'], s['hollow-owner-a-1']]).toEqual(['Ready', 'Ready']);
    const r = kubectl(a.kubeconfig, ['get', 'node', 'hollow-owner-b-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].reason} {.spec.taints[*].key}']);
    expect(r.stdout).toMatch(/^NodeStatusUnknown node\.kubernetes\.io\/unreachable/);
  }, 120_000);
});
