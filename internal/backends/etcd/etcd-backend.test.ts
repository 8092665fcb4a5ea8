import { afterAll, beforeAll, describe, it } from 'vitest';
import { runBackendConformance } from '../../storage/testing/index.js';
import { createEtcdBackend } from './etcd-backend.js';
import { etcdBinary, NO_ETCD, startEtcdCluster, type EtcdCluster } from './testing/etcd-cluster.js';

// The Backend conformance suite, unchanged, on real etcd: one member, then three. Every test
// works under its own key prefix, so one cluster serves the whole file.
const haveEtcd = etcdBinary() !== undefined;
if (!haveEtcd) describe.skip(NO_ETCD, () => it('needs etcd', () => {}));

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
  });
}
