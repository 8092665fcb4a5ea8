import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../backends/index.js';
import { encodeConfChange } from '../raft/index.js';
import { SqliteLogStorage, inspectRaftLog } from '../raftnode/index.js';
import { isClusterId, readClusterId, writeClusterId } from './cluster-id.js';
import { describeRecovery, inspectNode, recoverNode } from './recover.js';

let root: string;
const OLD_ID = '00000000-0000-4000-8000-000000000001';
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A stopped member (node 2) of a three-voter cluster with a standby (4): 6 entries, 5 committed, 3 applied. */
function member(): string {
  root = mkdtempSync(join(tmpdir(), 'kplane-recover-app-'));
  const dir = join(root, 'node');
  mkdirSync(join(dir, 'db'), { recursive: true });
  mkdirSync(join(dir, 'pki'), { recursive: true });
  writeFileSync(join(dir, 'db', 'node-id'), '2\n');
  writeClusterId(join(dir, 'db'), OLD_ID);
  writeFileSync(join(dir, 'pki', 'join-peers.json'), '{"1":"https://a:6444"}');
  const log = new SqliteLogStorage(join(dir, 'db', 'raft.db'));
  log.bootstrap({ voters: [1, 2, 3], learners: [] });
  const e = (index: number, text: string) => ({ index, term: 2, type: 'normal' as const, data: new TextEncoder().encode(text) });
  const addStandby = encodeConfChange({ type: 'addLearner', nodeId: 4, context: new TextEncoder().encode(JSON.stringify({ address: 'https://d:6444' })) });
  log.save({ entries: [e(2, ''), { index: 3, term: 2, type: 'confChange', data: addStandby }, e(4, 'x'), e(5, 'y'), e(6, 'z')], hardState: { term: 2, vote: 1, commit: 5 } });
  log.close();
  const db = openDatabase(join(dir, 'db', 'state.db'));
  db.prepare('UPDATE meta SET applied_index = 3, applied_term = 2 WHERE id = 1').run();
  db.close();
  return dir;
}

describe('kplane recover (app)', () => {
  it('reports where the log stands and what it would do, changing nothing', () => {
    const dir = member();
    const r = inspectNode(dir);
    expect(r).toMatchObject({ nodeId: 2, lastIndex: 6, lastTerm: 2, commitIndex: 5, appliedIndex: 3, voters: [1, 2, 3], standbys: [4], caKey: false });
    expect(r.members).toEqual({ 4: 'https://d:6444' });
    expect(r.plan.map((c) => `${c.type} ${c.nodeId}`)).toEqual(['removeNode 1', 'removeNode 3', 'removeNode 4']);
    const text = describeRecovery(r).join('\n');
    expect(text).toContain('last log index 6, last log term 2');
    expect(text).toContain('commit index 5, applied index 3');
    expect(text).toContain('voters 1, 2, 3; standbys 4');
    expect(text).toContain('rewrite the membership to node 2 alone: append remove node 1, remove node 3, remove node 4 (log index 7-9, term 3)');
    expect(text).toContain('holds no CA key');
    expect(text).toContain(`4. give the cluster a new id (replacing ${OLD_ID}): old members started with their old data are refused by it`);
    expect(r.clusterId).toBe(OLD_ID);
    expect(inspectRaftLog(join(dir, 'db', 'raft.db')).lastIndex).toBe(6);
  });

  it('refuses while a server has the data dir open, then backs up and rewrites the membership', () => {
    const dir = member();
    const held = new Database(join(dir, 'db', 'state.db'));
    held.prepare('SELECT 1').get();
    held.exec('BEGIN');
    held.prepare('SELECT count(*) FROM meta').get();
    expect(() => recoverNode(dir)).toThrow(/running on .*stop it first/);
    held.exec('COMMIT');
    held.close();
    expect(inspectRaftLog(join(dir, 'db', 'raft.db')).lastIndex).toBe(6);

    const r = recoverNode(dir, { now: new Date('2026-03-04T05:06:07Z') });
    expect(r.backup).toBe(`${dir}.backup-20260304T050607Z`);
    expect(inspectRaftLog(join(r.backup, 'db', 'raft.db')).confState).toEqual({ voters: [1, 2, 3], learners: [4] });
    expect(existsSync(join(r.backup, 'pki', 'join-peers.json'))).toBe(true);
    expect(existsSync(join(dir, 'pki', 'join-peers.json'))).toBe(false);
    const after = inspectRaftLog(join(dir, 'db', 'raft.db'));
    expect(after.confState).toEqual({ voters: [2], learners: [] });
    expect(after.hardState).toEqual({ term: 3, vote: 2, commit: 9 });
    expect(r.recovery).toMatchObject({ before: { lastIndex: 6, lastTerm: 2, commit: 5 }, term: 3, commit: 9 });
    // A new cluster id, so the old members (who keep OLD_ID) are refused by the recovered node.
    expect(isClusterId(r.clusterId) && r.clusterId !== OLD_ID).toBe(true);
    expect(readClusterId(join(dir, 'db'))).toBe(r.clusterId);
    expect(readClusterId(join(r.backup, 'db'))).toBe(OLD_ID);
  });

  it('refuses a data dir that is not a raftsqlite node', () => {
    root = mkdtempSync(join(tmpdir(), 'kplane-recover-app-'));
    expect(() => inspectNode(root)).toThrow(/not the data dir of a raftsqlite node/);
  });
});
