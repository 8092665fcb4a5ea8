import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, isStorageError } from '../../storage/index.js';
import { expectWellFormedStream, runBackendConformance, WatchRecorder } from '../../storage/testing/index.js';
import { COMPACT_REV_KEY, createEtcdBackend } from './etcd-backend.js';
import { etcdBinary, NO_ETCD, startEtcdCluster, type EtcdCluster } from './testing/etcd-cluster.js';

// The Backend conformance suite, unchanged, on real etcd: one member, then three. Every test
// works under its own key prefix, so one cluster serves the whole file.
const haveEtcd = etcdBinary() !== undefined;
if (!haveEtcd) describe.skip(NO_ETCD, () => it('needs etcd', () => {}));
const bytes = (s: string) => Buffer.from(s);
let seq = 0;
const prefix = () => `/etcd-test/${process.pid}-${Date.now()}-${seq++}/`;

for (const size of [1, 3] as const) {
  describe.runIf(haveEtcd)(`etcd, ${size} member${size > 1 ? 's' : ''}`, () => {
    let cluster: EtcdCluster;
    beforeAll(async () => {
      cluster = await startEtcdCluster(size);
    }, 60_000);
    afterAll(async () => {
      await cluster?.close();
    });
    runBackendConformance(
      `etcd ${size}`,
      () => createEtcdBackend({ endpoints: cluster.endpoints, compactionIntervalMs: 0, watcherQueueLimit: 200 }),
      { watcherQueueLimit: 200, leaseExpiryTimeoutMs: 15_000, randomOps: 300 },
    );

    if (size === 3) {
      it('a watch and the writers outlive each member in turn going down: every event once, in order', async () => {
        const b = await createEtcdBackend({ endpoints: cluster.endpoints, compactionIntervalMs: 0 });
        const ac = new AbortController();
        try {
          const p = prefix();
          const { revision: r0 } = await b.currentRevision();
          const w = new WatchRecorder(b.watch(p, { afterRevision: r0, signal: ac.signal }));
          const want: string[] = [];
          for (const i of [0, 1, 2]) {
            await cluster.stop(i);
            for (let k = 0; k < 4; k++) {
              want.push(`${i}-${k}`);
              await createSurely(b, p + `${i}-${k}`);
            }
            cluster.start(i);
            await cluster.waitHealthy(i);
          }
          await w.until(() => w.events.length >= want.length, 30_000, 'all events after the failovers');
          await new Promise((r) => setTimeout(r, 200));
          expect(w.events.map((e) => e.kv.key.slice(p.length))).toEqual(want);
          expectWellFormedStream(w.batches);
        } finally {
          ac.abort();
          await b.close();
        }
      }, 90_000);
    }

    if (size === 1) {
      it('periodic compaction: one kplane holds the compactor lease and compacts; the other takes over when it stops', async () => {
        const opts = { endpoints: cluster.endpoints, compactionIntervalMs: 300 };
        const a = await createEtcdBackend({ ...opts, nodeName: 'a' });
        const b = await createEtcdBackend({ ...opts, nodeName: 'b' });
        try {
          const p = prefix();
          const first = await a.create(p + 'k', bytes('0'));
          let last = first;
          const holder = async () => (await a.get('/registry/kplane/compactor')).kv?.value.toString();
          // The target is the revision seen one interval earlier, so keep writing for a few intervals.
          for (let i = 1; i <= 20; i++) {
            last = await a.update(p + 'k', bytes(String(i)), last.revision);
            await new Promise((r) => setTimeout(r, 60));
          }
          const compacted = async () => Number((await b.get(COMPACT_REV_KEY)).kv?.value.toString() ?? 0);
          await waitUntil(async () => (await compacted()) > first.revision, 10_000, 'a compaction past the first write');
          const who = await holder();
          expect(['a', 'b']).toContain(who);
          const err = await a.get(p + 'k', { revision: first.revision }).catch((e: unknown) => e);
          expect(isStorageError(err, 'Compacted')).toBe(true);
          expect((await b.currentRevision()).compactRevision).toBeGreaterThan(first.revision);
          // Stopping the holder revokes its lease: the other takes the role on its next round.
          const [gone, stays] = who === 'a' ? [a, b] : [b, a];
          await gone.close();
          await waitUntil(async () => (await stays.get('/registry/kplane/compactor')).kv?.value.toString() === (who === 'a' ? 'b' : 'a'), 10_000, 'the other kplane to take over');
        } finally {
          await a.close();
          await b.close();
        }
      }, 60_000);
    }
  });
}

describe.runIf(haveEtcd)('etcd over TLS with client certificates', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster(1, { tls: true });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('reads, writes and watches with the CA and a client certificate; without the certificate etcd is unavailable', async () => {
    const files = cluster.tls!;
    const b = await createEtcdBackend({ endpoints: cluster.endpoints, compactionIntervalMs: 0, tls: { ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key) } });
    const ac = new AbortController();
    try {
      expect(b.ready()).toBe(true);
      const p = prefix();
      const w = new WatchRecorder(b.watch(p, { afterRevision: (await b.currentRevision()).revision, signal: ac.signal }));
      await b.create(p + 'a', bytes('1'));
      await w.until(() => w.events.length === 1);
      expect((await b.list(p)).kvs.map((kv) => kv.key)).toEqual([p + 'a']);
    } finally {
      ac.abort();
      await b.close();
    }
    const anonymous = await createEtcdBackend({ endpoints: cluster.endpoints, compactionIntervalMs: 0, callTimeoutMs: 3000, tls: { ca: readFileSync(files.ca) } });
    try {
      expect(anonymous.ready()).toBe(false);
      const err = await anonymous.get('/x').catch((e: unknown) => e);
      expect(isStorageError(err, 'Unavailable'), String(err)).toBe(true);
    } finally {
      await anonymous.close();
    }
  }, 30_000);
});

/**
 * Creates key as a client would while a member fails: a write caught in an election may end in
 * Timeout (applied or not) or Unavailable; it is sent again, and KeyExists then means it was.
 */
async function createSurely(b: Backend, key: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await b.create(key, bytes('x'));
      return;
    } catch (err) {
      if (attempt > 0 && isStorageError(err, 'KeyExists')) return;
      if (attempt >= 5 || !(isStorageError(err, 'Timeout') || isStorageError(err, 'Unavailable'))) throw err;
    }
  }
}

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
