import { describe, expect, it } from 'vitest';
import type { EtcdConnection } from './connection.js';
import { etcdBackendOn } from './etcd-backend.js';
import { FakeEtcd } from './testing/fake-etcd.js';

// An update or delete whose expected mod_revision matches the state this kplane last saw leaves
// out the read after the put and the delete's prev_kv; the answer is the same either way.

const K = '/registry/configmaps/ns/a';
const b = (s: string) => Buffer.from(s);
type Txn = { success: Record<string, { prevKv?: boolean; keysOnly?: boolean }>[] };

function setup() {
  const etcd = new FakeEtcd();
  const conn = etcd.connection();
  const txns: Txn[] = [];
  const call = conn.call.bind(conn);
  (conn as { call: EtcdConnection['call'] }).call = ((service, method, req, ...rest) => {
    if (method === 'Txn') txns.push(req as Txn);
    return call(service, method, req, ...rest);
  }) as EtcdConnection['call'];
  return { etcd, txns, store: etcdBackendOn(conn, { endpoints: ['http://fake'], compactionIntervalMs: 0 }) };
}

describe('writes on a known state', () => {
  it('update after this node wrote the key: only the put; metadata as etcd has it', async () => {
    const { txns, store } = setup();
    const c = await store.create(K, b('one'));
    const u = await store.update(K, b('two'), c.revision);
    expect(txns[1]!.success).toHaveLength(1);
    const fromEtcd = await store.get(K);
    expect(u.kv).toEqual({ ...fromEtcd.kv, value: b('two') });
    expect(u.kv).toMatchObject({ createRevision: c.revision, modRevision: c.revision + 1, version: 2 });
  });

  it('update whose expected revision is not the state last seen: the read is kept', async () => {
    const { etcd, txns, store } = setup();
    const c = await store.create(K, b('one'));
    const rev = etcd.put(K, 'theirs'); // another client's write this node did not see
    const u = await store.update(K, b('two'), rev);
    expect(txns[1]!.success).toHaveLength(2);
    expect(u.kv).toMatchObject({ createRevision: c.revision, modRevision: rev + 1, version: 3 });
  });

  it('delete of the state last seen: no prev_kv, the deleted kv is that state', async () => {
    const { txns, store } = setup();
    const c = await store.create(K, b('one'));
    const u = await store.update(K, b('two'), c.revision);
    const d = await store.delete(K, { expectedModRevision: u.revision });
    expect(txns[2]!.success[0]!.requestDeleteRange!.prevKv).toBe(false);
    expect(d.kv).toEqual(u.kv);
  });

  it('delete without a compare, or of a state not seen: etcd sends the deleted value', async () => {
    const { etcd, txns, store } = setup();
    await store.create(K, b('one'));
    const rev = etcd.put(K, 'theirs');
    const d = await store.delete(K, { expectedModRevision: rev });
    expect(txns[1]!.success[0]!.requestDeleteRange!.prevKv).toBe(true);
    expect(d.kv?.value.toString()).toBe('theirs');
    await store.create(K, b('again'));
    const plain = await store.delete(K);
    expect(txns[3]!.success[0]!.requestDeleteRange!.prevKv).toBe(true);
    expect(plain.kv?.value.toString()).toBe('again');
  });
});
