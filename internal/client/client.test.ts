import { afterEach, describe, expect, it } from 'vitest';
import { builtinDefinitions } from '../registry/index.js';
import { createTestRegistry, fixtures, ADMIN, type TestRegistry } from '../registry/testing/index.js';
import { failure } from '../registry/testing/test-registry.js';
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

describe('fenced writes through the client', () => {
  const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
  async function withLease() {
    r = createTestRegistry(builtinDefinitions().filter((d) => ['leases', 'namespaces', 'configmaps'].includes(d.plural) && d.version === 'v1'));
    const admin = createClient(r.handler, ADMIN);
    await admin.create({ group: '', version: 'v1', resource: 'namespaces' }, undefined, { metadata: { name: 'kube-system' } });
    const lease = await admin.create(LEASES, 'kube-system', { metadata: { name: 'ctrl' }, spec: { holderIdentity: 'a' } });
    return { admin, fence: { namespace: 'kube-system', name: 'ctrl', holder: 'a', resourceVersion: lease.metadata.resourceVersion! } };
  }

  it('commit while the Lease is at the fenced resourceVersion; after another holder took it, 409 and nothing stored', async () => {
    const { admin, fence } = await withLease();
    const leader = createClient(r.handler, ADMIN, { fence: () => fence });
    await leader.create(CM, 'kube-system', { metadata: { name: 'ok' } });
    await leader.patch(CM, 'kube-system', 'ok', 'merge', { data: { x: '1' } });
    const cur = await admin.get(LEASES, 'kube-system', 'ctrl');
    await admin.update(LEASES, 'kube-system', { ...cur, spec: { holderIdentity: 'b' } });
    const refused = await failure(leader.create(CM, 'kube-system', { metadata: { name: 'late' } }));
    expect(refused.code).toBe(409);
    expect(refused.message).toMatch(/^fenced write refused: .*leases\/kube-system\/ctrl.*nothing was written/);
    await expect(leader.patch(CM, 'kube-system', 'ok', 'merge', { data: { x: '2' } })).rejects.toMatchObject({ code: 409 });
    await expect(leader.delete(CM, 'kube-system', 'ok')).rejects.toMatchObject({ code: 409 });
    const left = await admin.list(CM, 'kube-system');
    expect(left.items.map((o) => [o.metadata.name, o.data])).toEqual([['ok', { x: '1' }]]);
  });

  it("a write refused only because the holder's own renewal moved the Lease is sent again with the new revision", async () => {
    const { admin, fence } = await withLease();
    let current = fence;
    const leader = createClient(r.handler, ADMIN, { fence: () => current });
    const cur = await admin.get(LEASES, 'kube-system', 'ctrl');
    const renewed = await admin.update(LEASES, 'kube-system', { ...cur, spec: { holderIdentity: 'a', renewTime: '2026-01-01T00:00:00.000000Z' } });
    // The renewal's answer reaches the elector a moment after the write was sent with the old revision.
    setTimeout(() => (current = { ...fence, resourceVersion: renewed.metadata.resourceVersion! }), 30);
    await leader.create(CM, 'kube-system', { metadata: { name: 'x' } });
    expect((await admin.get(CM, 'kube-system', 'x')).metadata.name).toBe('x');
  });

  it("a write the store refused because the Lease was lost keeps the store's answer when the elector then learns of the loss", async () => {
    const { admin, fence } = await withLease();
    let current: typeof fence | null = fence;
    const leader = createClient(r.handler, ADMIN, { fence: () => current });
    const cur = await admin.get(LEASES, 'kube-system', 'ctrl');
    await admin.update(LEASES, 'kube-system', { ...cur, spec: { holderIdentity: 'b' } });
    // The elector hears of the new holder a moment after the write was sent with the old revision.
    setTimeout(() => (current = null), 30);
    await expect(leader.create(CM, 'kube-system', { metadata: { name: 'x' } })).rejects.toMatchObject({ code: 409, message: expect.stringMatching(/has changed \(now at resourceVersion \d+\)/) });
    expect((await admin.list(CM, 'kube-system')).items).toEqual([]);
  });

  it('with no Lease held (fence null) a write is refused before it is sent', async () => {
    const { admin } = await withLease();
    const leader = createClient(r.handler, ADMIN, { fence: () => null });
    await expect(leader.create(CM, 'kube-system', { metadata: { name: 'x' } })).rejects.toMatchObject({ code: 409, message: expect.stringMatching(/no longer holds/) });
    expect((await admin.list(CM, 'kube-system')).items).toEqual([]);
  });
});
