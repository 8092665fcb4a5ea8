// Scheduler throughput alone, in the shape of upstream's scheduler_perf SchedulingBasic: N nodes,
// a few initial pods, then M measured pods created while the scheduler runs; pods/s from the first
// measured create to the last binding. In-process (registry over the memory backend, real
// informers and client, no HTTP), so the figure is the scheduler's and the binding path's.
//
//   node --import tsx test/bench/scheduler-throughput.ts [--nodes 5000] [--pods 10000] [--initial 1000]
import type { KubeObject } from '../../internal/api/index.js';
import { createPluginHarness } from '../../plugins/testing/plugin-harness.js';
import { schedulerPlugin } from '../../plugins/scheduler/plugin.js';

const args = Object.fromEntries(process.argv.slice(2).reduce<[string, string][]>((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]!]] : acc), []));
const NODES = Number(args.nodes ?? 5000);
const PODS = Number(args.pods ?? 10000);
const INITIAL = Number(args.initial ?? 1000);
const PODS_REF = { group: '', version: 'v1', resource: 'pods' };
const NODES_REF = { group: '', version: 'v1', resource: 'nodes' };

const node = (i: number): KubeObject => ({
  metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
  status: { capacity: { cpu: '4', memory: '32Gi', pods: '110' }, allocatable: { cpu: '4', memory: '32Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
// SchedulingBasic's pod template: one container with small requests.
const pod = (name: string): KubeObject => ({ metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] } });

async function inBatches(n: number, f: (i: number) => Promise<unknown>, width = 200): Promise<void> {
  for (let i = 0; i < n; i += width) await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => f(i + j)));
}

async function main(): Promise<void> {
  const h = await createPluginHarness();
  const t0 = Date.now();
  await inBatches(NODES, (i) => h.create(NODES_REF, undefined, node(i)));
  await inBatches(INITIAL, (i) => h.create(PODS_REF, 'default', pod(`init-${i}`)));
  console.log(`setup: ${NODES} nodes, ${INITIAL} initial pods in ${Date.now() - t0} ms`);
  const informer = h.informers.informer(PODS_REF);
  let bound = 0;
  let last = 0;
  informer.addEventHandler({
    onUpdate: (o, n) => {
      if (!(o.spec as { nodeName?: string }).nodeName && (n.spec as { nodeName?: string }).nodeName && n.metadata.name!.startsWith('m-')) {
        bound++;
        last = Date.now();
      }
    },
  });
  void h.start(schedulerPlugin());
  // Wait for the initial pods, then measure.
  for (;;) {
    const pending = informer.lister.list('default').filter((p) => !(p.spec as { nodeName?: string }).nodeName).length;
    if (pending === 0 && informer.lister.list('default').length >= INITIAL) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const start = Date.now();
  const cpu0 = process.cpuUsage();
  await inBatches(PODS, (i) => h.create(PODS_REF, 'default', pod(`m-${i}`)));
  const created = Date.now();
  while (bound < PODS) await new Promise((r) => setTimeout(r, 50));
  const secs = (last - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  console.log(`CPU of the measured phase (creates + scheduling + bindings): ${cpuSecs.toFixed(1)} s = ${(PODS / cpuSecs).toFixed(0)} pods per CPU-second`);
  console.log(`measured: ${PODS} pods on ${NODES} nodes: created in ${((created - start) / 1000).toFixed(1)} s, all bound after ${secs.toFixed(1)} s = ${(PODS / secs).toFixed(0)} pods/s`);
  await h.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
