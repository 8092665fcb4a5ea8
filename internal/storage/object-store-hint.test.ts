import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/index.js';
import type { Backend, ReadOptions } from './backend.js';
import { StorageError } from './errors.js';
import { createObjectStore } from './object-store-impl.js';
import { createFakeBackend } from './testing/object-store-conformance-fake-backend.js';

/**
 * guaranteedUpdate and delete start from a serializable (local, possibly lagging) read. These tests
 * pin that local copy at an old revision, the way a follower's replica lags its leader, and check
 * that nothing is decided on it: no lost update, no stale refusal, no stale no-op.
 */

const key = '/registry/configmaps/default/a';
const cm = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data });

function lagging() {
  const inner = createFakeBackend();
  const reads = { serializable: 0, linearizable: 0 };
  let pinned: number | undefined; // serializable reads see the state at this revision
  const backend: Backend = Object.create(inner);
  backend.get = async (k: string, opts: ReadOptions = {}) => {
    if (!opts.serializable) {
      reads.linearizable++;
      return inner.get(k, opts);
    }
    reads.serializable++;
    return pinned === undefined ? inner.get(k) : inner.get(k, { revision: pinned });
  };
  return { inner, backend, reads, pin: (rev: number | undefined) => (pinned = rev) };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function setup() {
  const l = lagging();
  close = () => l.inner.close();
  const store = createObjectStore(l.backend);
  const v1 = await store.create(key, cm({ n: '1' }));
  return { ...l, store, rv1: Number(v1.metadata.resourceVersion) };
}

const counter = (o: KubeObject) => ({ ...o, data: { n: String(Number((o.data as Record<string, string>).n) + 1) } });

describe('ObjectStore read-modify-write from a local copy', () => {
  it('takes one serializable read and no quorum read when the local copy is current', async () => {
    const { store, reads } = await setup();
    const out = await store.guaranteedUpdate(key, async (o) => counter(o));
    expect(out.data).toEqual({ n: '2' });
    expect(reads).toEqual({ serializable: 1, linearizable: 0 });
  });

  it('loses no update when the local copy lags: the CAS fails and the retry starts from the committed state', async () => {
    const { store, pin, rv1 } = await setup();
    await store.guaranteedUpdate(key, async (o) => counter(o)); // n=2, committed elsewhere
    pin(rv1); // this node still sees n=1
    const seen: string[] = [];
    const out = await store.guaranteedUpdate(key, async (o) => {
      seen.push((o.data as Record<string, string>).n!);
      return counter(o);
    });
    expect(seen).toEqual(['1', '2']);
    expect(out.data).toEqual({ n: '3' });
    pin(undefined);
    expect((await store.get(key)).data).toEqual({ n: '3' });
  });

  it('does not refuse on a lagging copy: a refusal is final only against the committed state', async () => {
    const { store, pin, rv1 } = await setup();
    const v2 = await store.guaranteedUpdate(key, async (o) => counter(o));
    pin(rv1);
    // The way a PUT carrying the latest resourceVersion checks it (upstream's optimistic concurrency).
    const wantRv = v2.metadata.resourceVersion;
    const out = await store.guaranteedUpdate(key, async (o) => {
      if (o.metadata.resourceVersion !== wantRv) throw new StorageError('Conflict', 'the object has been modified');
      return { ...o, data: { n: 'put' } };
    });
    expect(out.data).toEqual({ n: 'put' });
  });

  it('still refuses when the committed state refuses', async () => {
    const { store, pin, rv1, reads } = await setup();
    await store.guaranteedUpdate(key, async (o) => counter(o));
    pin(rv1);
    const before = reads.linearizable;
    await expect(store.guaranteedUpdate(key, async () => Promise.reject(new StorageError('Conflict', 'no')))).rejects.toThrow('no');
    expect(reads.linearizable).toBe(before + 1);
  });

  it('checks "no change" against the committed state, so a stale no-op still writes', async () => {
    const { store, pin, rv1 } = await setup();
    const v2 = await store.guaranteedUpdate(key, async (o) => counter(o)); // n=2
    pin(rv1); // local copy n=1
    const out = await store.guaranteedUpdate(key, async (o) => ({ ...o, data: { n: '1' } }));
    expect(out.data).toEqual({ n: '1' });
    expect(Number(out.metadata.resourceVersion)).toBeGreaterThan(Number(v2.metadata.resourceVersion));
  });

  it('keeps the resourceVersion of a real no-op', async () => {
    const { store, rv1 } = await setup();
    const out = await store.guaranteedUpdate(key, async (o) => o);
    expect(out.metadata.resourceVersion).toBe(String(rv1));
  });

  it('finds an object the local copy does not have yet', async () => {
    const { store, pin } = await setup();
    pin(1); // before the create: missing locally
    const out = await store.guaranteedUpdate(key, async (o) => counter(o));
    expect(out.data).toEqual({ n: '2' });
  });

  it('still answers NotFound for a key that is gone', async () => {
    const { store } = await setup();
    await store.delete(key);
    await expect(store.guaranteedUpdate(key, async (o) => o)).rejects.toMatchObject({ code: 'KeyNotFound' });
  });

  it('deletes with a resourceVersion precondition the lagging copy has not seen', async () => {
    const { store, pin, rv1 } = await setup();
    const v2 = await store.guaranteedUpdate(key, async (o) => counter(o));
    pin(rv1);
    const gone = await store.delete(key, { preconditions: { resourceVersion: v2.metadata.resourceVersion } });
    expect(gone.data).toEqual({ n: '2' });
    pin(undefined);
    await expect(store.get(key)).rejects.toMatchObject({ code: 'KeyNotFound' });
  });

  it('refuses a delete whose precondition the committed state fails', async () => {
    const { store, pin, rv1 } = await setup();
    await store.guaranteedUpdate(key, async (o) => counter(o));
    pin(rv1);
    await expect(store.delete(key, { preconditions: { resourceVersion: String(rv1) } })).rejects.toMatchObject({ code: 'Conflict' });
    pin(undefined);
    expect((await store.get(key)).data).toEqual({ n: '2' });
  });

  it('reads the committed state for a dry run', async () => {
    const { store, pin, rv1, reads } = await setup();
    await store.guaranteedUpdate(key, async (o) => counter(o));
    pin(rv1);
    const before = reads.serializable;
    const out = await store.guaranteedUpdate(key, async (o) => counter(o), { dryRun: true });
    expect(out.data).toEqual({ n: '3' });
    expect(reads.serializable).toBe(before);
  });
});
