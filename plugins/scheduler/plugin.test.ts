import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../internal/api/index.js';
import { hollowNodesPlugin } from '../hollow-nodes/plugin.js';
import { createPluginHarness, until, type PluginHarness } from '../testing/plugin-harness.js';
import { schedulerPlugin } from './plugin.js';
import { makeNode } from './testing/fixtures.js';

const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };
type Obj = Record<string, any>;

let h: PluginHarness;
afterEach(async () => h?.stop());

const pod = (name: string, cpu = '100m'): KubeObject => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }] } });

describe('scheduler and hollow nodes together', () => {
  it('schedules a pod onto a hollow node, which runs it; a pod that fits nowhere waits for a node', async () => {
    h = await createPluginHarness();
    h.start(hollowNodesPlugin({ count: 3, prefix: 'hn', timing: { startDelayMs: 100 } }));
    h.start(schedulerPlugin());
    await h.create(PODS, 'default', pod('web'));
    const running = await until(async () => {
      const p = await h.client.get(PODS, 'default', 'web');
      return (p.status as Obj)?.phase === 'Running' ? p : undefined;
    });
    expect((running.spec as Obj).nodeName).toMatch(/^hn-[012]$/);
    expect((running.status as Obj).podIP).toMatch(/^10\./);
    expect((running.status as Obj).conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));

    await h.create(PODS, 'default', pod('big', '64'));
    const waiting = await until(async () => {
      const p = await h.client.get(PODS, 'default', 'big');
      return ((p.status as Obj)?.conditions as Obj[] | undefined)?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    expect(waiting.message).toBe('0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..');
    await h.create(NODES, undefined, makeNode('large', { cpu: '128' }));
    const bound = await until(async () => {
      const p = await h.client.get(PODS, 'default', 'big');
      return (p.spec as Obj).nodeName || undefined;
    });
    expect(bound).toBe('large');
  }, 30_000);
});
