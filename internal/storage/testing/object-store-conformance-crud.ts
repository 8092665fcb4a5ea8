import { describe, expect, it } from 'vitest';
import { isStorageError } from '../errors.js';
import type { ObjectStoreConformanceOptions, FixtureRef } from './object-store-conformance.js';
import { cm, rvOf } from './object-store-conformance-helpers.js';

const K = (name: string) => `/registry/configmaps/ns/${name}`;

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toSatisfy((e: unknown) => isStorageError(e) && e.code === code);
}

export function crudTests(fx: FixtureRef, opts: ObjectStoreConformanceOptions): void {
  describe('create/get', () => {
    it('sets resourceVersion from the backend and ignores the one passed in', async () => {
      const obj = cm('a', { k: 'v' });
      obj.metadata.resourceVersion = '999999';
      const created = await fx().store.create(K('a'), obj);
      const { revision } = await fx().backend.currentRevision();
      expect(created.metadata.resourceVersion).toBe(String(revision));
      expect(obj.metadata.resourceVersion).toBe('999999'); // the caller's object is untouched
      const got = await fx().store.get(K('a'));
      expect(got).toEqual(created);
    });

    it('rejects a second create with KeyExists and a missing get with KeyNotFound', async () => {
      await fx().store.create(K('a'), cm('a'));
      await expectCode(fx().store.create(K('a'), cm('a')), 'KeyExists');
      await expectCode(fx().store.get(K('nope')), 'KeyNotFound');
    });

    it('dry-run create checks existence, returns the object and writes nothing', async () => {
      const before = await fx().backend.currentRevision();
      const out = await fx().store.create(K('d'), cm('d', { x: '1' }), { dryRun: true });
      expect(out.data).toEqual({ x: '1' });
      expect((await fx().backend.currentRevision()).revision).toBe(before.revision);
      await expectCode(fx().store.get(K('d')), 'KeyNotFound');
      await fx().store.create(K('d'), cm('d'));
      await expectCode(fx().store.create(K('d'), cm('d'), { dryRun: true }), 'KeyExists');
    });

    it('attaches a lease when ttlSeconds is given', async () => {
      await fx().store.create(K('ev'), cm('ev'), { ttlSeconds: 3600 });
      const { kv } = await fx().backend.get(K('ev'));
      expect(kv?.lease).not.toBe(0);
    });

    it('get honours resourceVersion: "0", "N" not older than N, future N, and invalid', async () => {
      const c = await fx().store.create(K('a'), cm('a'));
      await fx().settle?.();
      expect((await fx().store.get(K('a'), { resourceVersion: '0' })).metadata.name).toBe('a');
      expect(await fx().store.get(K('a'), { resourceVersion: c.metadata.resourceVersion })).toEqual(c);
      const t0 = Date.now();
      await expectCode(fx().store.get(K('a'), { resourceVersion: String(rvOf(c) + 100) }), 'FutureRevision');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(opts.futureRevisionWaitMs * 0.8);
      await expectCode(fx().store.get(K('a'), { resourceVersion: 'abc' }), 'InvalidArgument');
    });

    it('get "N" waits for a revision that arrives shortly', async () => {
      const c = await fx().store.create(K('a'), cm('a'));
      const p = fx().store.get(K('b'), { resourceVersion: String(rvOf(c) + 1) });
      await fx().store.create(K('b'), cm('b'));
      expect((await p).metadata.name).toBe('b');
    });
  });

  describe('guaranteedUpdate', () => {
    it('updates, bumps resourceVersion, and skips the write for a no-op', async () => {
      const c = await fx().store.create(K('a'), cm('a', { n: '0' }));
      const u = await fx().store.guaranteedUpdate(K('a'), (cur) => ({ ...cur, data: { n: '1' } }));
      expect(rvOf(u)).toBeGreaterThan(rvOf(c));
      expect(u.data).toEqual({ n: '1' });
      const same = await fx().store.guaranteedUpdate(K('a'), (cur) => cur);
      expect(same.metadata.resourceVersion).toBe(u.metadata.resourceVersion);
    });

    it('retries under contention until every writer has applied its change', async () => {
      await fx().store.create(K('ctr'), cm('ctr', { n: '0' }));
      let calls = 0;
      const bump = () =>
        fx().store.guaranteedUpdate(K('ctr'), async (cur) => {
          calls++;
          const n = Number((cur.data as Record<string, string>).n);
          await new Promise((r) => setTimeout(r, 1)); // widen the race window
          return { ...cur, data: { n: String(n + 1) } };
        });
      await Promise.all(Array.from({ length: 10 }, bump));
      const end = await fx().store.get(K('ctr'));
      expect(end.data).toEqual({ n: '10' });
      expect(calls).toBeGreaterThan(10); // some writers really lost a CAS and retried
    });

    it('checks uid and resourceVersion preconditions (Conflict) and missing keys (KeyNotFound)', async () => {
      const c = await fx().store.create(K('a'), cm('a'));
      const upd = (pre: { uid?: string; resourceVersion?: string }) =>
        fx().store.guaranteedUpdate(K('a'), (cur) => ({ ...cur, data: { x: String(Math.random()) } }), { preconditions: pre });
      await expectCode(upd({ uid: 'other' }), 'Conflict');
      await expectCode(upd({ resourceVersion: String(rvOf(c) - 1) }), 'Conflict');
      await upd({ uid: 'uid-a', resourceVersion: c.metadata.resourceVersion });
      await expectCode(fx().store.guaranteedUpdate(K('nope'), (x) => x), 'KeyNotFound');
    });

    it('propagates an error thrown by tryUpdate unchanged', async () => {
      await fx().store.create(K('a'), cm('a'));
      const boom = new Error('refused');
      await expect(fx().store.guaranteedUpdate(K('a'), () => { throw boom; })).rejects.toBe(boom);
    });

    it('dry-run runs tryUpdate and writes nothing', async () => {
      const c = await fx().store.create(K('a'), cm('a', { n: '0' }));
      const out = await fx().store.guaranteedUpdate(K('a'), (cur) => ({ ...cur, data: { n: '9' } }), { dryRun: true });
      expect(out.data).toEqual({ n: '9' });
      expect(await fx().store.get(K('a'))).toEqual(c);
    });
  });

  describe('delete', () => {
    it('returns the last state with the delete revision and removes the key', async () => {
      await fx().store.create(K('a'), cm('a', { k: 'v' }));
      const d = await fx().store.delete(K('a'));
      expect(d.data).toEqual({ k: 'v' });
      expect(d.metadata.resourceVersion).toBe(String((await fx().backend.currentRevision()).revision));
      await expectCode(fx().store.get(K('a')), 'KeyNotFound');
      await expectCode(fx().store.delete(K('a')), 'KeyNotFound');
    });

    it('checks preconditions and validateDeletion, and dry-run keeps the object', async () => {
      const c = await fx().store.create(K('a'), cm('a'));
      await expectCode(fx().store.delete(K('a'), { preconditions: { uid: 'x' } }), 'Conflict');
      await expectCode(fx().store.delete(K('a'), { preconditions: { resourceVersion: '1' + c.metadata.resourceVersion } }), 'Conflict');
      const refuse = new Error('has finalizers');
      await expect(fx().store.delete(K('a'), { validateDeletion: () => { throw refuse; } })).rejects.toBe(refuse);
      expect((await fx().store.delete(K('a'), { dryRun: true })).metadata.name).toBe('a');
      expect(await fx().store.get(K('a'))).toEqual(c);
      await fx().store.delete(K('a'), { preconditions: { uid: 'uid-a', resourceVersion: c.metadata.resourceVersion } });
    });

    it('retries the delete when the object changed between read and write', async () => {
      await fx().store.create(K('a'), cm('a', { n: '0' }));
      let seen = 0;
      const d = await fx().store.delete(K('a'), {
        validateDeletion: async (cur) => {
          seen++;
          // The first time, another writer sneaks in; the delete must see its state.
          if (seen === 1) await fx().store.guaranteedUpdate(K('a'), (o) => ({ ...o, data: { n: '1' } }));
          void cur;
        },
      });
      expect(seen).toBe(2);
      expect(d.data).toEqual({ n: '1' });
    });
  });
}
