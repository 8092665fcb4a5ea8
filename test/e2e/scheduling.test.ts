import { describe, expect, it } from 'vitest';
import { hasBinary, kubectl, useKplane } from './harness.js';

// The scheduler, hollow nodes and the disruption controller through real kubectl: one server playing
// three simulated nodes. Pods get scheduled and Running, a pod that fits nowhere shows
// FailedScheduling and is placed once a node joins, and a drain stops at a PodDisruptionBudget.
const VERSIONS = ['1.27', '1.32', '1.33'].filter((v) => hasBinary(`kubectl.${v}`));

const server = useKplane({ args: ['--hollow-nodes', '3', '--hollow-node-prefix', 'hollow', '--hollow-node-pod-start', '200ms'] });

async function eventually<T>(what: string, f: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('scheduling onto hollow nodes', () => {
  for (const version of VERSIONS) {
    const k = (args: string[]) => kubectl(server().kubeconfig, args, { version });
    const pod = `web-${version.replace('.', '')}`;

    it(`kubectl ${version}: a pod is scheduled and Running on a hollow node; logs say the node is simulated`, async () => {
      const nodes = await eventually('three Ready hollow nodes', () => {
        const r = k(['get', 'nodes', '--no-headers']);
        return r.stdout.match(/^hollow-\d\s+Ready\s/gm)?.length === 3 ? r.stdout : undefined;
      });
      expect(nodes).toMatch(/^hollow-0\s+Ready\s+<none>\s+\S+\s+v1\.33\.0$/m);
      const run = k(['run', pod, '--image=nginx']);
      expect(run.code, run.stderr).toBe(0);
      const wait = k(['wait', '--for=condition=Ready', `pod/${pod}`, '--timeout=60s']);
      expect(wait.code, wait.stderr).toBe(0);
      expect(wait.stdout.trim()).toBe(`pod/${pod} condition met`);
      const wide = k(['get', 'pod', pod, '-o', 'wide', '--no-headers']);
      expect(wide.stdout).toMatch(new RegExp(`^${pod}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+hollow-\\d\\s`));
      const logs = k(['logs', pod]);
      expect(logs.code).toBe(1);
      expect(logs.stderr).toMatch(/Error from server \(BadRequest\): pod web-\d+ runs on the simulated node "hollow-\d" \(kplane hollow node\): its containers are not real processes, so it has no logs/);
      const events = k(['get', 'events', '--field-selector', `involvedObject.name=${pod}`, '--no-headers']);
      expect(events.stdout).toMatch(new RegExp(`Normal\\s+Scheduled\\s+pod/${pod}\\s+Successfully assigned default/${pod} to hollow-\\d`));
    });
  }

  const k = (args: string[], version = VERSIONS[VERSIONS.length - 1]) => kubectl(server().kubeconfig, args, { version });

  it('a pod that fits no node shows FailedScheduling in describe, and is scheduled when a node is added', async () => {
    const overrides = JSON.stringify({ spec: { containers: [{ name: 'big', image: 'nginx', resources: { requests: { cpu: '100' } } }] } });
    expect(k(['run', 'big', '--image=nginx', `--overrides=${overrides}`]).code).toBe(0);
    const line = await eventually('FailedScheduling in describe', () => k(['describe', 'pod', 'big'], VERSIONS[0]).stdout.split('\n').find((l) => l.includes('FailedScheduling')));
    expect(line).toMatch(/Warning\s+FailedScheduling\s+\S+\s+\S+\s+0\/3 nodes are available: 3 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 No preemption victims found for incoming pod\.\.$/);
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'large', labels: { 'kubernetes.io/hostname': 'large' } }, status: { capacity: { cpu: '128', memory: '256Gi', pods: '110' }, allocatable: { cpu: '128', memory: '256Gi', pods: '110' } } };
    const add = kubectl(server().kubeconfig, ['create', '-f', '-'], { input: JSON.stringify(node) });
    expect(add.code, add.stderr).toBe(0);
    const placed = await eventually('big bound to the new node', () => k(['get', 'pod', 'big', '-o', 'jsonpath={.spec.nodeName}']).stdout || undefined);
    expect(placed).toBe('large');
    expect(k(['delete', 'node', 'large']).code).toBe(0);
  });

  it('cordon and drain evict a pod, refused while a PodDisruptionBudget forbids it', async () => {
    const version = VERSIONS[0];
    const kv = (args: string[]) => kubectl(server().kubeconfig, args, { version, timeoutMs: 90_000 });
    expect(kv(['run', 'guarded', '--image=nginx', '--labels=app=guarded', '--overrides', JSON.stringify({ spec: { nodeSelector: { 'kubernetes.io/hostname': 'hollow-1' } } })]).code).toBe(0);
    expect(kv(['wait', '--for=condition=Ready', 'pod/guarded', '--timeout=60s']).code).toBe(0);
    expect(kv(['create', 'pdb', 'guarded', '--selector=app=guarded', '--min-available=1']).code).toBe(0);
    await eventually('the budget computed', () => (kv(['get', 'pdb', 'guarded', '-o', 'jsonpath={.status.currentHealthy}']).stdout === '1' ? true : undefined));
    const cordon = kv(['cordon', 'hollow-1']);
    expect(cordon.stdout.trim()).toBe('node/hollow-1 cordoned');
    const refused = kv(['drain', 'hollow-1', '--force', '--ignore-daemonsets', '--timeout=7s']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error when evicting pods/"guarded" -n "default" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`);
    expect(kv(['get', 'pod', 'guarded', '--no-headers']).stdout).toMatch(/Running/);
    expect(kv(['patch', 'pdb', 'guarded', '--type=merge', '-p', '{"spec":{"minAvailable":0}}']).code).toBe(0);
    await eventually('the budget allows one disruption', () => (kv(['get', 'pdb', 'guarded', '-o', 'jsonpath={.status.disruptionsAllowed}']).stdout === '1' ? true : undefined));
    const drained = kv(['drain', 'hollow-1', '--force', '--ignore-daemonsets', '--timeout=60s']);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toContain('pod/guarded evicted');
    expect(drained.stdout).toContain('node/hollow-1 drained');
    expect(kv(['get', 'nodes', 'hollow-1', '--no-headers']).stdout).toMatch(/^hollow-1\s+Ready,SchedulingDisabled\s/);
    await eventually('the evicted pod gone', () => (kv(['get', 'pod', 'guarded']).code === 1 ? true : undefined));
  }, 120_000);
});
