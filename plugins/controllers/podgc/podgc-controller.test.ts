import { afterEach, describe, expect, it } from 'vitest';
import { apiServerEndpointsPlugin } from '../endpoints/apiserver-plugin.js';
import { garbageCollectorPlugin } from '../garbagecollector/index.js';
import { ENDPOINTS, ENDPOINTSLICES, JOBS, NAMESPACES, NODES, PODS } from '../shared/refs.js';
import { eventually, notFound, startCluster, type Cluster } from '../testing/harness.js';
import { pod } from '../testing/objects.js';
import { ttlAfterFinishedPlugin } from '../ttlafterfinished/index.js';
import { podGcPlugin } from './index.js';

let c: Cluster;
afterEach(async () => c?.stop());

describe('pod GC, ttl-after-finished and the kubernetes endpoints', () => {
  it('pods of a node that is gone are failed and deleted; terminated pods over the threshold go oldest first', async () => {
    c = startCluster();
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
    await c.client.create(NODES, undefined, { metadata: { name: 'n1' } });
    await c.client.create(PODS, 'ns', pod('on-n1', {}, { spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } }));
    await c.client.create(PODS, 'ns', pod('on-gone', {}, { spec: { nodeName: 'gone', containers: [{ name: 'c', image: 'x' }] } }));
    for (const name of ['done-1', 'done-2']) {
      const p = await c.client.create(PODS, 'ns', pod(name, {}));
      await c.client.update(PODS, 'ns', { ...p, status: { phase: 'Succeeded' } }, { subresource: 'status' });
    }
    c.start(podGcPlugin({ threshold: 1, periodMs: 50, quarantineMs: 100 }));
    await eventually(async () => {
      expect(await notFound(c.client.get(PODS, 'ns', 'on-gone'))).toBe(true);
      expect(await notFound(c.client.get(PODS, 'ns', 'done-1'))).toBe(true);
    });
    expect(await notFound(c.client.get(PODS, 'ns', 'done-2'))).toBe(false);
    expect(await notFound(c.client.get(PODS, 'ns', 'on-n1'))).toBe(false);
  });

  it('a finished Job with ttlSecondsAfterFinished is deleted (in the foreground, so the garbage collector finishes it)', async () => {
    c = startCluster();
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
    const job = await c.client.create(JOBS, 'ns', {
      metadata: { name: 'j' },
      spec: { ttlSecondsAfterFinished: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
    });
    c.start(ttlAfterFinishedPlugin(), garbageCollectorPlugin(c.served));
    const t = '2026-01-01T00:00:00Z';
    const status = { startTime: t, completionTime: t, succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: t }, { type: 'Complete', status: 'True', lastTransitionTime: t }] };
    await c.client.update(JOBS, 'ns', { ...job, status }, { subresource: 'status' });
    await eventually(async () => expect(await notFound(c.client.get(JOBS, 'ns', 'j'))).toBe(true));
  });

  it('the kubernetes Service endpoints list this API server', async () => {
    c = startCluster();
    for (const name of ['default', 'kube-system']) await c.client.create(NAMESPACES, undefined, { metadata: { name } });
    c.start(apiServerEndpointsPlugin(() => ({ ip: '10.0.0.7', port: 6443 })));
    await eventually(async () => {
      expect((await c.client.get(ENDPOINTS, 'default', 'kubernetes')).subsets).toEqual([{ addresses: [{ ip: '10.0.0.7' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
      expect((await c.client.get(ENDPOINTSLICES, 'default', 'kubernetes')).endpoints).toEqual([{ addresses: ['10.0.0.7'], conditions: { ready: true } }]);
    });
  });
});
