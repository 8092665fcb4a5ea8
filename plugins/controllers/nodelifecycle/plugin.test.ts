import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { hollowNodesPlugin } from '../../hollow-nodes/plugin.js';
import { schedulerPlugin } from '../../scheduler/plugin.js';
import { createPluginHarness, until, type PluginHarness } from '../../testing/plugin-harness.js';
import { disruptionPlugin } from '../disruption/plugin.js';
import { nodeLifecyclePlugin } from './plugin.js';

const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const PDBS = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' };
type Obj = Record<string, any>;

let h: PluginHarness;
afterEach(async () => h?.stop());

describe('node lifecycle and disruption with hollow nodes', () => {
  it('marks the nodes of a stopped owner Unknown and taints them; a PDB holds an eviction back', async () => {
    h = await createPluginHarness();
    const stopNodes = h.start(hollowNodesPlugin({ count: 2, prefix: 'hn', timing: { startDelayMs: 0 }, renewIntervalMs: 200 }));
    // A second owner stays up: with every node silent the controller only marks them (upstream).
    h.start(hollowNodesPlugin({ count: 1, prefix: 'other', timing: { startDelayMs: 0 }, renewIntervalMs: 200 }));
    h.start(schedulerPlugin());
    h.start(nodeLifecyclePlugin({ gracePeriodMs: 1000, monitorPeriodMs: 200, evictionRate: 100 }));
    h.start(disruptionPlugin());
    await h.client.create(PDBS, 'default', { metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
    await h.client.create(PODS, 'default', { metadata: { name: 'w', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const pdb = await until(async () => {
      const b = await h.client.get(PDBS, 'default', 'web');
      return (b.status as Obj)?.currentHealthy === 1 ? b : undefined;
    });
    expect(pdb.status).toMatchObject({ desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 1 });
    const evict = h.client.create(PODS, 'default', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'w' } } as KubeObject, { subresource: 'eviction', name: 'w' });
    await expect(evict).rejects.toMatchObject({ code: 429 });

    const tolerations = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }];
    await h.client.create(PODS, 'default', { metadata: { name: 'short' }, spec: { nodeName: 'hn-1', tolerations, containers: [{ name: 'c', image: 'nginx' }] } });
    await stopNodes();
    const node = await until(async () => {
      const n = await h.client.get(NODES, undefined, 'hn-0');
      const taints = ((n.spec as Obj).taints as Obj[] | undefined) ?? [];
      return taints.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? n : undefined;
    });
    expect(((node.status as Obj).conditions as Obj[]).find((c) => c.type === 'Ready')).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    const evicted = await until(async () => (await h.client.get(PODS, 'default', 'short')).metadata.deletionTimestamp);
    expect(evicted).toBeDefined();
    const marked = (await h.client.get(PODS, 'default', 'short')).status as Obj;
    expect(marked.conditions).toContainEqual(expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' }));
    const other = await h.client.get(NODES, undefined, 'other-0');
    expect(((other.status as Obj).conditions as Obj[]).find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
  }, 40_000);
});
