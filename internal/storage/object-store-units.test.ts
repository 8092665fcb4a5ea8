import { describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../backends/memory/index.js';
import { FakeClock } from '../util/index.js';
import { jsonCodec } from './codec.js';
import { decodeContinue, encodeContinue, keyAfter } from './continue-token.js';
import { isStorageError } from './errors.js';
import { createObjectStore } from './object-store-impl.js';
import { LeaseCache } from './object-store-leases.js';
import { parseResourceVersion } from './object-store-rv.js';
import { cm } from './testing/object-store-conformance-helpers.js';

describe('jsonCodec', () => {
  it('never stores resourceVersion and always sets it from the revision', () => {
    const bytes = jsonCodec.encode({ metadata: { name: 'a', resourceVersion: '77' }, data: { k: 'v' } });
    expect(new TextDecoder().decode(bytes)).not.toContain('77');
    expect(jsonCodec.decode(bytes, 5).metadata).toEqual({ name: 'a', resourceVersion: '5' });
  });

  it('reports undecodable values as Corrupt', () => {
    expect(() => jsonCodec.decode(new TextEncoder().encode('{nope'), 1, '/k')).toThrow(expect.objectContaining({ code: 'Corrupt' }));
    expect(() => jsonCodec.decode(new TextEncoder().encode('[1]'), 1)).toThrow(expect.objectContaining({ code: 'Corrupt' }));
  });
});

describe('continue tokens', () => {
  it('round-trip the snapshot revision and the next key, relative to the prefix', () => {
    const t = encodeContinue('/registry/pods/', keyAfter('/registry/pods/ns/a'), 42);
    expect(JSON.parse(Buffer.from(t, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: 42, start: 'ns/a\u0000' });
    expect(decodeContinue(t, '/registry/pods/')).toEqual({ revision: 42, startKey: '/registry/pods/ns/a\u0000' });
    expect(decodeContinue(encodeContinue('/p/', '/p/x', -1), '/p/').revision).toBe(-1);
  });

  it('rejects malformed tokens with InvalidArgument', () => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const bad of ['', '%%%', enc('x'), enc({ v: 'meta.k8s.io/v1', rv: 'a', start: 'x' }), enc({ v: 'meta.k8s.io/v1', rv: 3, start: '' }), enc({ v: 'meta.k8s.io/v1', rv: 3, start: '../secrets/x' })]) {
      expect(() => decodeContinue(bad, '/p/'), bad).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
  });
});

describe('parseResourceVersion', () => {
  it('maps "" to latest, "0" to any, digits to N, and rejects the rest', () => {
    expect(parseResourceVersion(undefined)).toBeUndefined();
    expect(parseResourceVersion('')).toBeUndefined();
    expect(parseResourceVersion('0')).toBe(0);
    expect(parseResourceVersion('123')).toBe(123);
    for (const bad of ['-1', '1.5', 'abc', '99999999999999999999']) {
      expect(() => parseResourceVersion(bad)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    }
  });
});

describe('ttlSeconds', () => {
  it('reuses one lease for a burst of same-TTL writes, and grants a new one after the reuse window', async () => {
    const clock = new FakeClock(0);
    const granted: number[] = [];
    let id = 0;
    const backend = { grantLease: async (ttl: number) => (granted.push(ttl), ++id) } as unknown as ConstructorParameters<typeof LeaseCache>[0];
    const leases = new LeaseCache(backend, clock);
    const ids = await Promise.all([leases.leaseFor(3600), leases.leaseFor(3600), leases.leaseFor(3600)]);
    expect(new Set(ids).size).toBe(1);
    expect(granted).toEqual([3660]); // ttl + 5% reuse window (capped at 60 s), so no key dies early
    clock.advance(59_000);
    expect(await leases.leaseFor(3600)).toBe(ids[0]);
    clock.advance(2_000);
    expect(await leases.leaseFor(3600)).not.toBe(ids[0]);
  });

  it('deletes the object when its lease expires; updates keep the lease unless given a new TTL', async () => {
    const clock = new FakeClock(0);
    const backend = createMemoryBackend({ clock });
    const store = createObjectStore(backend, { clock });
    await store.create('/registry/events/ns/e', cm('e'), { ttlSeconds: 10 });
    const lease = (await backend.get('/registry/events/ns/e')).kv!.lease;
    await store.guaranteedUpdate('/registry/events/ns/e', (o) => ({ ...o, data: { count: '2' } }));
    expect((await backend.get('/registry/events/ns/e')).kv!.lease).toBe(lease);
    clock.advance(12_000);
    await expect(store.get('/registry/events/ns/e')).rejects.toSatisfy((e) => isStorageError(e, 'KeyNotFound'));
    await backend.close();
  });
});
