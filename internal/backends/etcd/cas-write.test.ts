import { describe, expect, it } from 'vitest';
import { isStorageError } from '../../storage/index.js';
import { etcdBackendOn } from './etcd-backend.js';
import { FakeEtcd, type Fault } from './testing/fake-etcd.js';

// Writes whose answer etcd loses (a leader dies with the request in flight) are resolved, not
// failed: the real Backend on a fake etcd that drops, applies-without-answering or applies late.

const K = '/registry/configmaps/ns/a';
const b = (s: string) => Buffer.from(s);

function setup(txnFaults: Fault[] = [], readFaults: Fault[] = [], callMs?: number) {
  const etcd = new FakeEtcd();
  etcd.txnFaults.push(...txnFaults);
  etcd.readFaults.push(...readFaults);
  const store = etcdBackendOn(etcd.connection(callMs), { endpoints: ['http://fake'], compactionIntervalMs: 0 });
  return { etcd, store };
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

describe('a create whose answer is lost', () => {
  it.each<[string, Fault[]]>([
    ['applied, answer lost', ['applied-unanswered']],
    ['dropped: sent again', ['dropped']],
    ['applied late, after the resend was decided: the resend fails, the key is ours', ['late']],
    ['lost twice, then answered', ['dropped', 'applied-unanswered']],
  ])('%s: succeeds once, at the revision that stored it', async (_name, faults) => {
    const { etcd, store } = setup(faults);
    const r = await store.create(K, b('mine'));
    expect(etcd.value(K)).toBe('mine');
    expect(etcd.changes(K)).toBe(1);
    expect(r).toMatchObject({ succeeded: true, revision: 2, kv: { modRevision: 2, createRevision: 2 } });
    expect((await store.get(K)).kv?.modRevision).toBe(2);
  });

  it('another writer created the key meanwhile: KeyExists, nothing of ours stored', async () => {
    const { etcd, store } = setup(['dropped']);
    etcd.beforeRequest = () => {
      if (etcd.txns === 1 && etcd.reads === 0) etcd.put(K, 'theirs');
    };
    const err = await failure(store.create(K, b('mine')));
    expect(isStorageError(err, 'KeyExists'), String(err)).toBe(true);
    expect(etcd.value(K)).toBe('theirs');
  });

  it('ours was applied and then changed by another writer: still ours (the value at its creation)', async () => {
    const { etcd, store } = setup(['applied-unanswered']);
    etcd.beforeRequest = () => {
      if (etcd.txns === 1 && etcd.reads === 0) etcd.put(K, 'status written by a controller');
    };
    const r = await store.create(K, b('mine'));
    expect(r).toMatchObject({ succeeded: true, revision: 2 });
    expect(etcd.changes(K)).toBe(2);
  });
});

describe('an update whose answer is lost', () => {
  it.each<[string, Fault[]]>([
    ['applied, answer lost', ['applied-unanswered']],
    ['dropped: sent again', ['dropped']],
    ['applied late', ['late']],
  ])('%s: applied exactly once', async (_name, faults) => {
    const { etcd, store } = setup();
    const c = await store.create(K, b('v1'));
    etcd.txnFaults.push(...faults);
    const r = await store.update(K, b('v2'), c.revision);
    expect(r).toMatchObject({ succeeded: true, kv: { value: b('v2'), modRevision: 3, createRevision: 2, version: 2 } });
    expect(etcd.value(K)).toBe('v2');
    expect(etcd.changes(K)).toBe(2);
  });

  it('the key moved on to other bytes meanwhile: the outcome stays unknown (504), not a false conflict', async () => {
    const { etcd, store } = setup();
    const c = await store.create(K, b('v1'));
    etcd.txnFaults.push('applied-unanswered');
    etcd.beforeRequest = () => {
      if (etcd.txns === 2 && etcd.reads === 0) etcd.put(K, 'v3 by someone else');
    };
    const err = await failure(store.update(K, b('v2'), c.revision));
    expect(isStorageError(err, 'Timeout'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/etcd: update: .*may or may not have been applied/);
  });

  it('a real conflict (someone else wrote first) is still a failed compare-and-swap with the current value', async () => {
    const { etcd, store } = setup();
    const c = await store.create(K, b('v1'));
    etcd.put(K, 'theirs');
    const r = await store.update(K, b('v2'), c.revision);
    expect(r).toMatchObject({ succeeded: false, kv: { value: b('theirs') } });
  });
});

describe('a delete whose answer is lost', () => {
  it.each<[string, Fault[]]>([
    ['applied, answer lost', ['applied-unanswered']],
    ['dropped: sent again', ['dropped']],
    ['applied late', ['late']],
  ])('%s: the key is gone and the delete succeeded', async (_name, faults) => {
    const { etcd, store } = setup();
    const c = await store.create(K, b('v1'));
    etcd.txnFaults.push(...faults);
    const r = await store.delete(K, { expectedModRevision: c.revision });
    expect(r.succeeded).toBe(true);
    expect(etcd.value(K)).toBeUndefined();
    expect(etcd.changes(K)).toBe(2);
  });
});

describe('while etcd has no leader', () => {
  it('a write waits for an election, then goes through', async () => {
    const { etcd, store } = setup(['no-leader', 'no-leader', 'no-leader']);
    await store.create(K, b('mine'));
    expect(etcd.value(K)).toBe('mine');
    expect(etcd.txns).toBe(4);
  });

  it('the read-back waits for an election too', async () => {
    const { etcd, store } = setup(['dropped'], ['no-leader', 'no-leader']);
    await store.create(K, b('mine'));
    expect(etcd.changes(K)).toBe(1);
  });

  it('no leader for good: 503 Unavailable (certainly not applied), before the call deadline', async () => {
    const { etcd, store } = setup(Array(100).fill('no-leader'), [], 60_000);
    const err = await failure(store.create(K, b('mine')));
    expect(isStorageError(err, 'Unavailable'), String(err)).toBe(true);
    expect(etcd.value(K)).toBeUndefined();
  });

  it('an outcome that cannot be resolved before the deadline is a Timeout saying so (504)', async () => {
    const { store } = setup(['dropped'], Array(100).fill('no-leader'), 1000);
    const err = await failure(store.create(K, b('mine')));
    expect(isStorageError(err, 'Timeout'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/may or may not have been applied/);
  });
});

describe('a fenced write whose answer is lost', () => {
  it('the guard moved meanwhile: refused as fenced, nothing stored', async () => {
    const { etcd, store } = setup();
    const lease = await store.create('/registry/leases/kube-system/x', b('holder'));
    etcd.txnFaults.push('dropped');
    etcd.beforeRequest = () => {
      if (etcd.txns === 2 && etcd.reads === 0) etcd.put('/registry/leases/kube-system/x', 'new holder');
    };
    const err = await failure(store.create(K, b('mine'), { guard: { key: '/registry/leases/kube-system/x', modRevision: lease.revision } }));
    expect(isStorageError(err, 'GuardFailed'), String(err)).toBe(true);
    expect(etcd.value(K)).toBeUndefined();
  });
});
