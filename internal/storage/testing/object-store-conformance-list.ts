import { describe, expect, it } from 'vitest';
import { isStorageError, StorageError } from '../errors.js';
import type { ListObjectsOptions, ListObjectsResult } from '../object-store.js';
import type { FixtureRef, ObjectStoreConformanceOptions } from './object-store-conformance.js';
import { cm, everythingPred, labelPred, rvOf } from './object-store-conformance-helpers.js';

const P = '/registry/configmaps/';
const K = (name: string, ns = 'ns') => `${P}${ns}/${name}`;
const names = (r: ListObjectsResult) => r.items.map((o) => o.metadata.name ?? '');

async function caught(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    if (isStorageError(e)) return e;
    throw e;
  }
  throw new Error('expected a StorageError');
}

export function listTests(fx: FixtureRef, _opts: ObjectStoreConformanceOptions): void {
  const seed = async (n: number, labelled = (_i: number) => false) => {
    for (let i = 0; i < n; i++) {
      const name = `o${String(i).padStart(3, '0')}`;
      await fx().store.create(K(name), cm(name, {}, labelled(i) ? { pick: 'yes' } : undefined));
    }
  };
  const listAll = async (prefix: string, o: Omit<ListObjectsOptions, 'continue'>) => {
    const pages: ListObjectsResult[] = [];
    let cont: string | undefined;
    do {
      const r = await fx().store.list(prefix, { ...o, continue: cont, resourceVersion: cont ? undefined : o.resourceVersion });
      pages.push(r);
      cont = r.continue;
    } while (cont);
    return pages;
  };

  describe('list', () => {
    it('lists under a prefix in key order at the global revision, with a predicate', async () => {
      await seed(5, (i) => i % 2 === 0);
      await fx().store.create(K('x', 'other'), cm('x', {}, {}, 'other'));
      await fx().store.create('/registry/secrets/ns/s', cm('s'));
      const all = await fx().store.list(P, { predicate: everythingPred });
      expect(names(all)).toEqual(['o000', 'o001', 'o002', 'o003', 'o004', 'x']);
      // The list RV is the store's revision, not the newest item's.
      expect(all.resourceVersion).toBe(String((await fx().backend.currentRevision()).revision));
      expect(names(await fx().store.list(`${P}ns/`, { predicate: labelPred('pick', 'yes') }))).toEqual(['o000', 'o002', 'o004']);
      expect(all.continue).toBeUndefined();
    });

    it('pages with limit and continue, with remainingItemCount, all on one snapshot', async () => {
      await seed(10);
      const first = await fx().store.list(P, { predicate: everythingPred, limit: 4 });
      expect(names(first)).toEqual(['o000', 'o001', 'o002', 'o003']);
      expect(first.remainingItemCount).toBe(6);
      // Concurrent writes after page one must not show up in later pages.
      await fx().store.delete(K('o005'));
      await fx().store.create(K('o0055'), cm('o0055'));
      await fx().store.guaranteedUpdate(K('o007'), (o) => ({ ...o, data: { changed: 'yes' } }));
      const second = await fx().store.list(P, { predicate: everythingPred, limit: 4, continue: first.continue });
      const third = await fx().store.list(P, { predicate: everythingPred, limit: 4, continue: second.continue });
      expect([...names(second), ...names(third)]).toEqual(['o004', 'o005', 'o006', 'o007', 'o008', 'o009']);
      expect(second.resourceVersion).toBe(first.resourceVersion);
      expect(third.resourceVersion).toBe(first.resourceVersion);
      expect(third.items[1]!.data).toEqual({});
      expect(third.continue).toBeUndefined();
    });

    it('fills pages when a selective predicate skips most keys', async () => {
      await seed(20, (i) => i % 3 === 0);
      const pages = await listAll(P, { predicate: labelPred('pick', 'yes'), limit: 2 });
      const got = pages.flatMap(names);
      expect(got).toEqual(['o000', 'o003', 'o006', 'o009', 'o012', 'o015', 'o018']);
      for (const p of pages.slice(0, -1)) expect(p.items).toHaveLength(2);
      expect(pages.every((p) => p.remainingItemCount === undefined)).toBe(true);
    });

    it('resourceVersionMatch Exact reads the past; NotOlderThan waits or fails with FutureRevision', async () => {
      await seed(3);
      const at = (await fx().store.list(P, { predicate: everythingPred })).resourceVersion;
      await fx().store.delete(K('o001'));
      const past = await fx().store.list(P, { predicate: everythingPred, resourceVersion: at, resourceVersionMatch: 'Exact' });
      expect(names(past)).toEqual(['o000', 'o001', 'o002']);
      expect(past.resourceVersion).toBe(at);
      const now = await fx().store.list(P, { predicate: everythingPred, resourceVersion: at, resourceVersionMatch: 'NotOlderThan' });
      expect(names(now)).toEqual(['o000', 'o002']);
      expect(rvOf({ metadata: { resourceVersion: now.resourceVersion } })).toBeGreaterThan(Number(at));
      const e = await caught(fx().store.list(P, { predicate: everythingPred, resourceVersion: String(Number(at) + 50) }));
      expect(e.code).toBe('FutureRevision');
    });

    it('Exact at a compacted revision is Compacted', async () => {
      await seed(2);
      const at = (await fx().store.list(P, { predicate: everythingPred })).resourceVersion;
      await fx().store.delete(K('o000'));
      await fx().store.create(K('z'), cm('z'));
      await fx().backend.compact((await fx().backend.currentRevision()).revision);
      const e = await caught(fx().store.list(P, { predicate: everythingPred, resourceVersion: at, resourceVersionMatch: 'Exact' }));
      expect(e.code).toBe('Compacted');
    });

    it('"0" lists (possibly from a cache) every object once settled', async () => {
      await seed(3);
      await fx().settle?.();
      expect(names(await fx().store.list(P, { predicate: everythingPred, resourceVersion: '0' }))).toEqual(['o000', 'o001', 'o002']);
    });

    it('rejects a malformed continue token and a continue with a resourceVersion (InvalidArgument)', async () => {
      await seed(3);
      for (const bad of ['garbage!', Buffer.from('{"v":"x"}').toString('base64url'), Buffer.from('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}').toString('base64url')]) {
        expect((await caught(fx().store.list(P, { predicate: everythingPred, continue: bad }))).code).toBe('InvalidArgument');
      }
      const page = await fx().store.list(P, { predicate: everythingPred, limit: 1 });
      const e = await caught(fx().store.list(P, { predicate: everythingPred, continue: page.continue, resourceVersion: '5' }));
      expect(e.code).toBe('InvalidArgument');
    });

    it('an expired continue is Compacted and carries a token that continues at the latest revision', async () => {
      await seed(6);
      const first = await fx().store.list(P, { predicate: everythingPred, limit: 2 });
      await fx().store.delete(K('o003'));
      await fx().store.create(K('o0045'), cm('o0045'));
      await fx().backend.compact((await fx().backend.currentRevision()).revision);
      const e = await caught(fx().store.list(P, { predicate: everythingPred, limit: 2, continue: first.continue }));
      expect(e.code).toBe('Compacted');
      expect(e.details.continue).toBeTruthy();
      const pages: string[] = [];
      let cont: string | undefined = e.details.continue;
      const rvs = new Set<string>();
      while (cont) {
        const r: ListObjectsResult = await fx().store.list(P, { predicate: everythingPred, limit: 2, continue: cont });
        pages.push(...names(r));
        rvs.add(r.resourceVersion); // later pages pin the snapshot of the first inconsistent one
        cont = r.continue;
      }
      expect(rvs.size).toBe(1);
      expect(pages).toEqual(['o002', 'o004', 'o0045', 'o005']);
    });
  });
}
