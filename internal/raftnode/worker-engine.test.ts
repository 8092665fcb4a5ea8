import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCA, issueCert } from '../app/pki.js';
import { seededRand } from '../util/index.js';
import { RaftNode } from './node.js';
import { MapStateMachine, kvCodec, type KvCmd } from './testing/harness.js';
import { NODE_GROUP, nodeCommonName } from './ws-transport.js';

const root = mkdtempSync(join(tmpdir(), 'kplane-worker-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Blocks this thread, as a long synchronous LIST would. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin
  }
}

describe('RaftNode with the engine on a worker thread', () => {
  it('keeps leadership while the main thread of the leader is blocked for over 2 election timeouts', async () => {
    const ca = createCA();
    const ids = [1, 2, 3];
    const ports = await Promise.all(ids.map(() => freePort()));
    const addrs = new Map(ids.map((id, i) => [id, `https://127.0.0.1:${ports[i]}`]));
    const sms = new Map(ids.map((id) => [id, new MapStateMachine()]));
    const nodes = ids.map((id, i) => {
      const c = issueCert(ca, { subject: { commonName: nodeCommonName(id), organizations: [NODE_GROUP] }, ips: ['127.0.0.1'], client: true, server: true });
      return new RaftNode<KvCmd, string>({
        id,
        dataDir: join(root, `n${id}`),
        stateMachine: sms.get(id)!,
        codec: kvCodec,
        worker: { tls: { key: c.keyPem, cert: c.certPem, ca: ca.certPem }, listen: { host: '127.0.0.1', port: ports[i]! } },
        bootstrap: addrs,
        rand: seededRand(id),
        // Election timeout 1000-2000 ms: slack for a loaded CI machine, where the workers share the
        // second core with everything else while this thread spins on the first.
        tickMs: 100,
      });
    });
    for (const n of nodes) n.start();
    try {
      // Three worker threads starting TLS listeners: at load 20+ the first election took over 15 s.
      const leaderId = await nodes[0]!.waitForLeader(45_000);
      const leader = nodes.find((n) => n.id === leaderId)!;
      const follower = nodes.find((n) => n.id !== leaderId)!;
      expect(await follower.propose({ append: 'k', value: 'a' })).toBe('a');
      await new Promise((r) => setTimeout(r, 300)); // status reports reach this thread
      const termBefore = leader.status().term;
      const ticksBefore = leader.stats.ticks;
      // All three nodes share this thread here, so this stalls every host; the engines keep ticking.
      busy(4500);
      expect(await leader.propose({ append: 'k', value: 'b' })).toBe('ab');
      await new Promise((r) => setTimeout(r, 300));
      // About 48 ticks of 100 ms passed in the worker while this thread was stuck, none of them
      // late by an election timeout (which would have cost the leadership).
      expect(leader.stats.ticks - ticksBefore).toBeGreaterThan(35);
      expect(leader.stats.tickLateMaxMs).toBeLessThan(1000);
      expect(leader.status().term).toBe(termBefore);
      expect(leader.isLeader()).toBe(true);
      await follower.readBarrier();
      expect(sms.get(follower.id)!.data.get('k')).toBe('ab');
      expect(await leader.takeSnapshot()).toBeGreaterThan(1);
    } finally {
      for (const n of nodes) await n.stop();
    }
  }, 90_000);
});
