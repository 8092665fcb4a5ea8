import { afterEach, describe, expect, it } from 'vitest';
import { rootCaCertPlugin } from '../rootcacert/index.js';
import { CONFIGMAPS, NAMESPACES, SERVICEACCOUNTS } from '../shared/refs.js';
import { eventually, notFound, startCluster, type Cluster } from '../testing/harness.js';
import { serviceAccountPlugin } from './index.js';

let c: Cluster;
afterEach(async () => c?.stop());

describe('serviceaccount and root CA publisher', () => {
  it('every namespace gets `default` and kube-root-ca.crt; both come back when deleted or edited', async () => {
    c = startCluster();
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'before' } });
    c.start(serviceAccountPlugin(), rootCaCertPlugin(() => 'CA-PEM'));
    await c.client.create(NAMESPACES, undefined, { metadata: { name: 'after' } });
    for (const ns of ['before', 'after']) {
      await eventually(async () => {
        expect((await c.client.get(SERVICEACCOUNTS, ns, 'default')).metadata.name).toBe('default');
        expect((await c.client.get(CONFIGMAPS, ns, 'kube-root-ca.crt')).data).toEqual({ 'ca.crt': 'CA-PEM' });
      });
    }
    await c.client.delete(SERVICEACCOUNTS, 'after', 'default');
    await c.client.patch(CONFIGMAPS, 'after', 'kube-root-ca.crt', 'merge', { data: { 'ca.crt': 'tampered' } });
    await eventually(async () => {
      expect(await notFound(c.client.get(SERVICEACCOUNTS, 'after', 'default'))).toBe(false);
      expect((await c.client.get(CONFIGMAPS, 'after', 'kube-root-ca.crt')).data).toEqual({ 'ca.crt': 'CA-PEM' });
    });
  });
});
