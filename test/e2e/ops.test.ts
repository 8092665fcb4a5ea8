import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../internal/app/index.js';
import { BIN, type RunningKplane, freePort, kubectl, removeDir, startKplane } from './harness.js';

// The operations commands on the built binary with real kubectl: an online snapshot restored offline
// into a new one-node cluster (which another node then joins), and `kplane recover` on the last
// survivor of a three-node cluster that lost two nodes for good.
const V = '1.32';
const root = mkdtempSync(join(tmpdir(), 'kplane-e2e-ops-'));
const running: RunningKplane[] = [];
afterAll(async () => {
  for (const s of running) await s.kill();
  for (const s of running) if (existsSync(`${s.dataDir}`)) removeDir(s.dataDir);
  removeDir(root);
});

function kplane(args: string[], input?: string): { code: number; out: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** A raftsqlite node on loopback with a fixed peer port (so a restart or a restore can reuse it). */
async function node(dataDir: string, ports: { api: number; peer: number }, extra: string[] = []): Promise<RunningKplane> {
  const kp = await startKplane({ dataDir, port: ports.api, args: ['--datastore', 'raftsqlite', '--peer-listen', `127.0.0.1:${ports.peer}`, '--advertise-address', '127.0.0.1', ...extra] });
  running.push(kp);
  return kp;
}

/** Creates config maps in one kubectl call (a List), each with data k=<name>. */
function createConfigMaps(kp: RunningKplane, cms: string[]): void {
  const items = cms.map((name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { k: name } }));
  const r = kubectl(kp.kubeconfig, ['create', '-f', '-'], { version: V, input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  expect(r.code, r.stderr).toBe(0);
}

const ports = async () => ({ api: await freePort(), peer: await freePort() });
const names = (kp: RunningKplane) => kubectl(kp.kubeconfig, ['get', 'cm', '-o', 'name'], { version: V }).stdout.trim().split('\n').sort();
const status = (dataDir: string) => JSON.parse(kplane(['status', '--data-dir', dataDir, '-o', 'json']).out) as ClusterStatus;
const peerPort = (kp: RunningKplane) => Number(/--peer-listen 127\.0\.0\.1:(\d+)/.exec(kp.proc.spawnargs.join(' '))![1]);

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function joinNode(founder: RunningKplane, dataDir: string): Promise<RunningKplane> {
  const token = kplane(['add-node', '--data-dir', founder.dataDir]).out.split('\n')[1]!.trim();
  return node(dataDir, await ports(), ['--join', founder.url, '--token', token]);
}

describe('kplane snapshot save / snapshot restore', () => {
  it('restores an online snapshot into a new one-node cluster that serves it, takes writes and admits a new node', async () => {
    const a = await node(join(root, 'a'), await ports());
    createConfigMaps(a, ['one', 'two', 'three']);
    const file = join(root, 'backup.db');
    const saved = kplane(['snapshot', 'save', file, '--data-dir', a.dataDir]);
    expect(saved.out).toMatch(/^snapshot at log index \d+ saved to /);
    expect(saved.code).toBe(0);
    // Written after the snapshot: not part of the restored state.
    expect(kubectl(a.kubeconfig, ['create', 'cm', 'later'], { version: V }).code).toBe(0);
    const before = names(a).filter((n) => n !== 'configmap/later');
    await a.stop();

    const dir = join(root, 'restored');
    const p = await ports();
    const restore = kplane(['snapshot', 'restore', file, '--data-dir', dir, '--listen', `127.0.0.1:${p.api}`, '--peer-listen', `127.0.0.1:${p.peer}`, '--advertise-address', '127.0.0.1']);
    expect(restore.code, restore.out).toBe(0);
    expect(restore.out).toContain(`node 1 is the only voter (Raft peer address https://127.0.0.1:${p.peer}), cluster id `);
    const r = await node(dir, p);
    expect(names(r)).toEqual(before);
    expect(kubectl(r.kubeconfig, ['get', 'cm', 'two', '-o', 'jsonpath={.data.k}'], { version: V }).stdout).toBe('two');
    expect(kubectl(r.kubeconfig, ['create', 'cm', 'after-restore'], { version: V }).code).toBe(0);

    // Offline only: a running server's data dir is refused and left alone.
    const refused = kplane(['snapshot', 'restore', file, '--data-dir', dir]);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toContain('is running on');
    expect(kubectl(r.kubeconfig, ['get', 'cm', 'after-restore', '-o', 'name'], { version: V }).code).toBe(0);

    // Other nodes join the restored cluster (they get its state as the snapshot image).
    const j = await joinNode(r, join(root, 'restored-join'));
    await until(() => kubectl(j.kubeconfig, ['get', 'cm', '-o', 'name'], { version: V }).stdout.includes('configmap/after-restore'), 20_000, 'the joined node to serve the restored objects');
    expect(names(j)).toEqual(names(r));
    await j.stop();
    await r.stop();
  });
});

describe('kplane recover', () => {
  it('makes the last survivor of a three-node cluster a one-voter cluster that keeps every acknowledged write', async () => {
    const a = await node(join(root, 'ha-a'), await ports());
    const b = await joinNode(a, join(root, 'ha-b'));
    const c = await joinNode(a, join(root, 'ha-c'));
    await until(() => status(a.dataDir).voters.length === 3, 30_000, 'three voters');
    createConfigMaps(a, Array.from({ length: 10 }, (_, i) => `acked-${i}`));
    const acked = names(a);
    // The survivor is a joined node (no CA key); it has everything the leader committed.
    const { commit, clusterId: oldId } = status(a.dataDir);
    await until(() => status(b.dataDir).applied >= commit, 10_000, 'the survivor to catch up');
    await a.kill();
    await c.kill();
    await b.kill();

    const dry = kplane(['recover', '--dry-run', '--data-dir', b.dataDir]);
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toMatch(/node 2 .*\n {2}last log index \d+, last log term \d+/);
    expect(dry.out).toContain('configuration: voters 1, 2, 3');
    expect(dry.out).toContain('rewrite the membership to node 2 alone: append remove node 1, remove node 3');
    expect(dry.out).toContain('highest "last log term"');
    const unconfirmed = kplane(['recover', '--data-dir', b.dataDir], '');
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.out).toContain('pass --yes');
    expect(kplane(['recover', '--dry-run', '-o', 'json', '--data-dir', b.dataDir]).out).toContain('"voters": [\n    1,\n    2,\n    3\n  ]');

    const rec = kplane(['recover', '--yes', '--data-dir', b.dataDir]);
    expect(rec.code, rec.out).toBe(0);
    const newId = /new cluster id (\S+):/.exec(rec.out)?.[1];
    expect(newId && newId !== oldId).toBe(true);
    const backup = /backed up .* to (\S+)/.exec(rec.out)?.[1];
    expect(backup && existsSync(join(backup, 'db', 'raft.db'))).toBe(true);
    expect(rec.out).toContain('node 2 is now the only voter');

    const b2 = await node(b.dataDir, { api: b.port, peer: peerPort(b) });
    expect(names(b2)).toEqual(acked);
    expect(kubectl(b2.kubeconfig, ['create', 'cm', 'after-recovery'], { version: V }).code).toBe(0);
    const st = status(b2.dataDir);
    expect(st).toMatchObject({ voters: [2], learners: [], leader: 2, clusterId: newId });
    expect(kplane(['status', '--data-dir', b2.dataDir]).out).toContain(`cluster id: ${newId}`);

    // A stale member started with its old data (against the printed advice) still has a node
    // certificate of this CA and the old configuration naming node 2: the cluster id keeps it out.
    const stale = spawn(BIN, ['server', '--data-dir', c.dataDir, '--listen', `127.0.0.1:${c.port}`, '--datastore', 'raftsqlite', '--peer-listen', `127.0.0.1:${peerPort(c)}`, '--advertise-address', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KPLANE_LOG_LEVEL: 'warn' },
    });
    let staleOut = '';
    stale.stdout.on('data', (d) => (staleOut += d));
    stale.stderr.on('data', (d) => (staleOut += d));
    const staleExited = new Promise((r) => stale.on('exit', r));
    try {
      const mismatch = (out: string, ours: string, theirs: string) => out.split('\n').some((l) => l.includes(`cluster id mismatch: this node is in cluster ${ours}, the peer in cluster ${theirs}`));
      await until(() => mismatch(b2.output(), newId!, oldId!) && mismatch(staleOut, oldId!, newId!), 30_000, 'both sides to log the cluster id mismatch');
      // The new cluster is undisturbed: same leader and term through several of the stale node's
      // election timeouts, and writes go on.
      await new Promise((r) => setTimeout(r, 3000));
      expect(kubectl(b2.kubeconfig, ['create', 'cm', 'with-stale-member'], { version: V }).code).toBe(0);
      expect(status(b2.dataDir)).toMatchObject({ voters: [2], leader: 2, term: st.term });
      expect(names(b2)).toEqual([...acked, 'configmap/after-recovery', 'configmap/with-stale-member'].sort());
    } finally {
      stale.kill('SIGKILL');
      await staleExited;
    }
    await b2.stop();
    if (backup) removeDir(backup);
  });
});
