// On-demand measurement, skipped in npm test: how long until a frozen member (SIGSTOP, like a hung
// machine) is noticed, and the slowest read and write meanwhile.
//   KPLANE_ETCD_PROBE=1 npx vitest run internal/backends/etcd/testing/stop-probe.test.ts
import { it } from 'vitest';
import { createEtcdBackend } from '../etcd-backend.js';
import { startEtcdCluster } from './etcd-cluster.js';

it.runIf(process.env.KPLANE_ETCD_PROBE)('a frozen member is noticed and avoided', async () => {
  const cluster = await startEtcdCluster(3);
  let noticed = 0;
  let stoppedAt = 0;
  const b = await createEtcdBackend({
    endpoints: cluster.endpoints,
    compactionIntervalMs: 0,
    onHealthChange: (ep, healthy, why) => {
      if (!healthy && ep === cluster.endpoints[0] && stoppedAt && !noticed) noticed = Date.now() - stoppedAt;
      console.log(`${Date.now() - stoppedAt} ms: ${ep} ${healthy ? 'healthy' : 'unhealthy'} (${why})`);
    },
  });
  let slowestRead = 0;
  let slowestWrite = 0;
  let n = 0;
  const pid = cluster.members[0]!.proc!.pid!;
  const run = async (until: number) => {
    while (Date.now() < until) {
      const t0 = Date.now();
      await b.list('/registry/probe/');
      slowestRead = Math.max(slowestRead, Date.now() - t0);
      const t1 = Date.now();
      await b.create(`/registry/probe/${n++}`, Buffer.from('x')).catch((e: unknown) => console.log('write failed:', String(e)));
      slowestWrite = Math.max(slowestWrite, Date.now() - t1);
    }
  };
  await run(Date.now() + 1000);
  stoppedAt = Date.now();
  process.kill(pid, 'SIGSTOP');
  await run(Date.now() + 6000);
  console.log(JSON.stringify({ frozenMemberNoticedMs: noticed, slowestReadMs: slowestRead, slowestWriteMs: slowestWrite, writes: n }));
  process.kill(pid, 'SIGCONT');
  await b.close();
  await cluster.close();
}, 60_000);
