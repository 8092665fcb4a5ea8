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
    const other = pod('other');
    (other.spec as Obj).schedulerName = 'my-scheduler';
    await h.create(PODS, 'default', other);
    await h.create(PODS, 'default', pod('web'));
    const running = await until(async () => {
      const p = await h.client.get(PODS, 'default', 'web');
      return (p.status as Obj)?.phase === 'Running' ? p : undefined;
    });
    expect((running.spec as Obj).nodeName).toMatch(/^hn-[012]$/);
    expect((running.status as Obj).podIP).toMatch(/^10\./);
    expect((running.status as Obj).conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));
    const ignored = await h.client.get(PODS, 'default', 'other');
    expect([(ignored.spec as Obj).nodeName, (ignored.status as Obj).conditions]).toEqual([undefined, undefined]); // another scheduler's pod

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

  it('preempts a lower-priority pod: the victim goes, the preemptor is nominated and then bound there', async () => {
    h = await createPluginHarness();
    h.start(hollowNodesPlugin({ count: 1, prefix: 'one', shape: { cpu: '1' }, timing: { startDelayMs: 0, stopDelayMs: 0 } }));
    h.start(schedulerPlugin());
    await h.create(PODS, 'default', pod('low', '800m'));
    await until(async () => ((await h.client.get(PODS, 'default', 'low')).status as Obj)?.phase === 'Running');
    const high = pod('high', '800m');
    (high.spec as Obj).priority = 1000;
    await h.create(PODS, 'default', high);
    const nominated = await until(async () => ((await h.client.get(PODS, 'default', 'high')).status as Obj)?.nominatedNodeName);
    expect(nominated).toBe('one-0');
    await until(async () => h.client.get(PODS, 'default', 'low').then(() => false, () => true));
    expect(await until(async () => ((await h.client.get(PODS, 'default', 'high')).spec as Obj).nodeName)).toBe('one-0');
  }, 30_000);
});
