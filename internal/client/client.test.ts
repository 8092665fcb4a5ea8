import { afterEach, describe, expect, it } from 'vitest';
import { createTestRegistry, fixtures, ADMIN, type TestRegistry } from '../registry/testing/index.js';
import { createClient } from './client.js';

const CM = { group: '', version: 'v1', resource: 'configmaps' };

let r: TestRegistry;
afterEach(async () => r?.close());

describe('createClient', () => {
  it('runs the verb pipeline and names its writes in managedFields after its user agent', async () => {
    r = createTestRegistry([fixtures.configMaps]);
    const c = createClient(r.handler, ADMIN, { userAgent: 'kube-scheduler/v1.30.0' });
    await c.create(CM, 'ns', { metadata: { name: 'a' }, data: { x: '1' } });
    const patched = await c.patch(CM, 'ns', 'a', 'merge', { data: { y: '2' } }, { fieldManager: 'explicit' });
    expect(patched.data).toEqual({ x: '1', y: '2' });
    expect(patched.metadata.managedFields?.map((e) => e.manager)).toEqual(['kube-scheduler', 'explicit']);
  });
});
