import { afterAll, describe, expect, it } from 'vitest';
import { etcdBinary, NO_ETCD, startEtcdCluster, type EtcdCluster } from '../../internal/backends/etcd/testing/etcd-cluster.js';
import { kubectl, removeDir, startKplane, type RunningKplane } from './harness.js';

// A hollow node's owner dying is a real node failure: two kplane API servers on one etcd (as two
// kube-apiservers share one), each playing two hollow nodes. kill -9 of one makes its nodes NotReady
// with the unreachable taint (the node lifecycle controller on the survivor sees their Leases stop);
// the survivor's own nodes stay Ready. The pods on the dead nodes are evicted once their default
// unreachable toleration runs out (shortened from 300 s by the flags) and their ReplicaSet replaces
// them on the survivor's nodes.
const common = [
  '--datastore', 'etcd', '--node-monitor-grace-period', '4s', '--hollow-node-heartbeat', '1s', '--hollow-nodes', '2', '--hollow-node-pod-start', '300ms',
  '--default-unreachable-toleration-seconds', '3', '--default-not-ready-toleration-seconds', '3',
];

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

  it('makes the nodes of a killed owner NotReady, leaves the others Ready and replaces their pods elsewhere', async () => {
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
    const pods = () =>
      kubectl(a.kubeconfig, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.phase} {.metadata.deletionTimestamp}{"\\n"}{end}'])
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => {
          const [name, node, phase, deleting] = l.split(' ');
          return { name: name!, node: node!, phase: phase!, deleting: !!deleting };
        });
    const until = async (what: string, f: () => boolean) => {
      const end = Date.now() + 90_000;
      while (!f()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(nodes())} ${JSON.stringify(pods())}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const names = ['hollow-owner-a-0', 'hollow-owner-a-1', 'hollow-owner-b-0', 'hollow-owner-b-1'];
    await until('four Ready hollow nodes', () => {
      const s = nodes();
      return names.every((n) => s[n] === 'Ready');
    });
    // Two pods on owner-b's nodes: owner-a's are cordoned while they are scheduled.
    const ok = (args: string[]) => {
      const r = kubectl(a.kubeconfig, args, { timeoutMs: 120_000 });
      expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(0);
    };
    ok(['cordon', 'hollow-owner-a-0', 'hollow-owner-a-1']);
    ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
    ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const before = pods();
    expect(before.map((p) => p.node).sort()).toEqual(['hollow-owner-b-0', 'hollow-owner-b-1']);
    ok(['uncordon', 'hollow-owner-a-0', 'hollow-owner-a-1']);
    const t = JSON.parse(kubectl(a.kubeconfig, ['get', 'pod', before[0]!.name, '-o', 'jsonpath={.spec.tolerations}']).stdout);
    expect(t).toContainEqual({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3 });

    await b.kill();
    await until("owner-b's nodes NotReady", () => {
      const s = nodes();
      return s['hollow-owner-b-0'] === 'NotReady' && s['hollow-owner-b-1'] === 'NotReady';
    });
    const s = nodes();
    expect([s['hollow-owner-a-0'], s['hollow-owner-a-1']]).toEqual(['Ready', 'Ready']);
    const r = kubectl(a.kubeconfig, ['get', 'node', 'hollow-owner-b-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].reason} {.spec.taints[*].key}']);
    expect(r.stdout).toMatch(/^NodeStatusUnknown node\.kubernetes\.io\/unreachable/);

    // The taint manager deletes the dead nodes' pods; their replacements run on owner-a's nodes.
    await until('two pods Running on owner-a\'s nodes', () => pods().filter((p) => !p.deleting && p.phase === 'Running' && p.node.startsWith('hollow-owner-a-')).length === 2);
    const after = pods();
    for (const p of before) expect(after.find((x) => x.name === p.name)?.deleting ?? true, p.name).toBe(true);
    const events = kubectl(a.kubeconfig, ['get', 'events', '--field-selector', `involvedObject.name=${before[0]!.name}`, '-o', 'jsonpath={.items[*].reason}']).stdout;
    expect(events).toContain('TaintManagerEviction');
    ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  }, 240_000);
});
