import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRaftSqliteBackend, createSqliteBackend, type RaftSqliteBackend } from '../backends/index.js';
import { MemoryNetwork, inspectRaftLog } from '../raftnode/index.js';
import { seededRand } from '../util/index.js';
import { readClusterId, writeClusterId } from './cluster-id.js';
import { restoreSnapshot } from './restore.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

let root: string;
const open: RaftSqliteBackend[] = [];
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
  rmSync(root, { recursive: true, force: true });
});

function node(dbDir: string, id: number, bootstrap?: boolean): RaftSqliteBackend {
  const net = new MemoryNetwork();
  const b = createRaftSqliteBackend({
    dataDir: dbDir,
    nodeId: id,
    transport: net.transport(id),
    bootstrap: bootstrap ? new Map([[id, `mem://${id}`]]) : undefined,
    raft: { tickMs: 10, electionTicks: 10 },
    compaction: false,
    rand: seededRand(id),
  });
  open.push(b);
  return b;
}

describe('restoreSnapshot', () => {
  it('turns a saved snapshot into a one-voter cluster that serves it and takes writes; the old data dir is backed up', async () => {
    root = mkdtempSync(join(tmpdir(), 'kplane-restore-'));
    const a = node(join(root, 'a', 'db'), 1, true);
    await a.node.waitForLeader();
    for (let i = 0; i < 5; i++) await a.create(`/registry/configmaps/default/cm${i}`, enc(`v${i}`));
    const index = await a.node.takeSnapshot();
    const saved = join(root, 'saved.db');
    copyFileSync(join(root, 'a', 'db', 'snapshots', `snap-${String(index).padStart(16, '0')}.db`), saved);
    const rev = (await a.currentRevision()).revision;

    // The target data dir held another node (id 3) of some cluster.
    const target = join(root, 'b');
    mkdirSync(join(target, 'db'), { recursive: true });
    mkdirSync(join(target, 'pki'), { recursive: true });
    writeFileSync(join(target, 'db', 'node-id'), '3\n');
    writeClusterId(join(target, 'db'), '00000000-0000-4000-8000-000000000003');
    writeFileSync(join(target, 'db', 'state.db'), 'old state');
    writeFileSync(join(target, 'pki', 'ca.crt'), 'a CA certificate');
    writeFileSync(join(target, 'pki', 'join-peers.json'), '{"1":"https://old:6444"}');
    const r = await restoreSnapshot({ file: saved, dataDir: target, advertiseAddress: '127.0.0.1', listen: { host: '127.0.0.1', port: 7000 }, now: new Date('2026-01-02T03:04:05Z') });
    expect(r).toMatchObject({ nodeId: 3, index, revision: rev, peerAddress: 'https://127.0.0.1:7001', credentials: true, caKey: false });
    expect(r.backup).toBe(`${target}.backup-20260102T030405Z`);
    expect(existsSync(`${saved}-wal`) || existsSync(`${saved}-shm`)).toBe(false);
    expect(readFileSync(join(r.backup!, 'db', 'state.db'), 'utf8')).toBe('old state');
    expect(existsSync(join(target, 'pki', 'join-peers.json'))).toBe(false);
    expect(readFileSync(join(target, 'pki', 'ca.crt'), 'utf8')).toBe('a CA certificate');
    expect(readFileSync(join(target, 'db', 'datastore'), 'utf8').trim()).toBe('raftsqlite');
    const log = inspectRaftLog(join(target, 'db', 'raft.db'));
    expect(log.snapshot.index).toBe(index);
    expect(log.confState).toEqual({ voters: [3], learners: [] });
    expect(log.members).toEqual({ 3: 'https://127.0.0.1:7001' });
    // A new cluster: a new id, recorded with the new log (the target's old one stays in the backup).
    expect(readClusterId(join(target, 'db'))).toBe(r.clusterId);
    expect(readClusterId(join(r.backup!, 'db'))).toBe('00000000-0000-4000-8000-000000000003');

    const b = node(join(target, 'db'), 3);
    await b.node.waitForLeader();
    expect(dec((await b.get('/registry/configmaps/default/cm4')).kv?.value)).toBe('v4');
    const w = await b.create('/registry/configmaps/default/after', enc('x'));
    expect(w.revision).toBe(rev + 1);
    // A server has it open now: a second restore refuses and changes nothing.
    await expect(restoreSnapshot({ file: saved, dataDir: target })).rejects.toThrow(/running on .*stop it first/);
    expect(dec((await b.get('/registry/configmaps/default/after')).kv?.value)).toBe('x');
  });

  it('accepts a copy of a single-node sqlite store (no Raft position) and refuses a file that is not a state image', async () => {
    root = mkdtempSync(join(tmpdir(), 'kplane-restore-'));
    const file = join(root, 'sqlite-state.db');
    const s = createSqliteBackend({ path: file });
    await s.create('/registry/namespaces/kept', enc('ns'));
    await s.close();
    const r = await restoreSnapshot({ file, dataDir: join(root, 'new') });
    expect(r.nodeId).toBe(1);
    expect(r.backup).toBeUndefined();
    expect(r.term).toBe(1);
    const b = node(join(root, 'new', 'db'), 1);
    await b.node.waitForLeader();
    expect(dec((await b.get('/registry/namespaces/kept')).kv?.value)).toBe('ns');
    await b.create('/registry/namespaces/more', enc('x'));

    writeFileSync(join(root, 'junk.db'), 'not sqlite at all, just text that is long enough to have a header');
    await expect(restoreSnapshot({ file: join(root, 'junk.db'), dataDir: join(root, 'other') })).rejects.toThrow(/not a/);
    expect(existsSync(join(root, 'other'))).toBe(false);
  });
});
