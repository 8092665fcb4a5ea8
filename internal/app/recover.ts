import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ConfChange } from '../raft/index.js';
import { inspectRaftLog, recoverSoloLog, soloChanges, type RaftLogInfo, type SoloRecovery } from '../raftnode/index.js';
import { ConfigError } from '../util/index.js';
import { newClusterId, readClusterId, writeClusterId } from './cluster-id.js';
import { pkiPaths } from './credentials.js';
import { assertOffline, backupDataDir, dbPaths, readNodeId, readStatePosition } from './recover-offline.js';

// `kplane recover`: the guided offline path when a raftsqlite cluster lost its quorum for good.
// The chosen survivor's log is rewritten so that it restarts as the only voter, keeping all its data
// (raftnode/recover.ts); everything else here is inspection, backup and explanation.

/** What `kplane recover --dry-run` shows about one node, read without changing anything. */
export interface NodeReport {
  dataDir: string;
  nodeId: number;
  /** Compare survivors by (lastTerm, lastIndex): the higher log is the more advanced. */
  lastIndex: number;
  lastTerm: number;
  commitIndex: number;
  /** Applied index and revision of the state DB (absent when it was never created). */
  appliedIndex?: number;
  revision?: number;
  term: number;
  snapshotIndex: number;
  voters: number[];
  standbys: number[];
  members: Record<string, string>;
  /** The cluster id recorded in the data dir (absent in data dirs from before cluster ids). */
  clusterId?: string;
  /** Whether this node holds the cluster CA key (only such a node signs joins: kplane add-node). */
  caKey: boolean;
  /** The configuration changes recovery would append (empty when this node is not a member). */
  plan: ConfChange[];
  /** Why recovery would refuse, if it would. */
  refusal?: string;
}

export function inspectNode(dataDir: string): NodeReport {
  const nodeId = readNodeId(dataDir);
  if (nodeId === undefined) throw new ConfigError(`${dbPaths(dataDir).nodeId}: missing; ${dataDir} is not the data dir of a raftsqlite node`);
  const log: RaftLogInfo = inspectRaftLog(dbPaths(dataDir).raft);
  const state = existsSync(dbPaths(dataDir).state) ? readStatePosition(dbPaths(dataDir).state) : undefined;
  let plan: ConfChange[] = [];
  let refusal: string | undefined;
  try {
    plan = soloChanges(log.confState, nodeId);
  } catch (err) {
    refusal = (err as Error).message;
  }
  return {
    dataDir: resolve(dataDir),
    nodeId,
    lastIndex: log.lastIndex,
    lastTerm: log.lastTerm,
    commitIndex: log.hardState.commit,
    appliedIndex: state?.index,
    revision: state?.revision,
    term: log.hardState.term,
    snapshotIndex: log.snapshot.index,
    voters: log.confState.voters,
    standbys: log.confState.learners,
    members: log.members,
    clusterId: readClusterId(dbPaths(dataDir).dir),
    caKey: existsSync(pkiPaths(dataDir).caKey),
    plan,
    refusal,
  };
}

const list = (ids: number[]) => (ids.length > 0 ? ids.join(', ') : 'none');
const describeChange = (cc: ConfChange) => (cc.type === 'removeNode' ? `remove node ${cc.nodeId}` : `make node ${cc.nodeId} a voter`);

/** The dry-run report: where this node's log stands and what recovery would do. */
export function describeRecovery(r: NodeReport): string[] {
  const applied = r.appliedIndex === undefined ? 'no state DB' : `${r.appliedIndex} (revision ${r.revision})`;
  const lines = [
    `node ${r.nodeId} (${r.dataDir})`,
    `  last log index ${r.lastIndex}, last log term ${r.lastTerm}`,
    `  commit index ${r.commitIndex}, applied index ${applied}, term ${r.term}, snapshot at ${r.snapshotIndex}`,
    `  configuration: voters ${list(r.voters)}; standbys ${list(r.standbys)}`,
    ...Object.entries(r.members).map(([id, a]) => `    member ${id}: ${a}`),
    `  holds the CA key: ${r.caKey ? 'yes' : 'no'}`,
  ];
  if (r.refusal) return [...lines, '', `recovery is not possible on this node: ${r.refusal}`];
  const first = r.lastIndex + 1;
  lines.push('', 'kplane recover would:');
  lines.push(`  1. copy ${r.dataDir} to ${r.dataDir}.backup-<UTC time> (or into --backup-dir)`);
  lines.push(
    r.plan.length > 0
      ? `  2. rewrite the membership to node ${r.nodeId} alone: append ${r.plan.map(describeChange).join(', ')} (log index ${first}${r.plan.length > 1 ? `-${r.lastIndex + r.plan.length}` : ''}, term ${Math.max(r.term, r.lastTerm) + 1})`
      : `  2. keep the membership (node ${r.nodeId} is already the only member)`,
  );
  lines.push(`  3. mark the whole log committed (through index ${r.lastIndex + r.plan.length}): entries after ${r.commitIndex} that the old cluster had not committed are kept and applied at the next start`);
  lines.push(`  4. give the cluster a new id${r.clusterId ? ` (replacing ${r.clusterId})` : ''}: old members started with their old data are refused by it`);
  if (!r.caKey) lines.push(`  note: this node holds no CA key, so it cannot admit new nodes (kplane add-node) unless pki/ca.key is copied from the first node's backup`);
  return lines;
}

export const SURVIVOR_GUIDANCE = [
  'Choosing the node to recover: run `kplane recover --dry-run --data-dir DIR` on every member you still have,',
  'with their servers stopped, and pick the one with the highest "last log term", then the highest "last log index"',
  '(Raft\'s own up-to-date rule: if any survivor holds every write the cluster acknowledged, that one does).',
  'Recover only that node and start it as before. Never start the other old members with their old data:',
  'wipe their data dirs and join them again with `kplane add-node` / `kplane server --join`.',
];

export interface RecoverResult {
  backup: string;
  /** The recovered cluster's new id: the old members, started with their old data, are refused by it. */
  clusterId: string;
  recovery: SoloRecovery;
}

/**
 * Recovers the node in dataDir as a one-voter cluster: refuses while a server has it open, copies
 * the data dir aside first, then rewrites its Raft log. The dial hints of a joined node (addresses
 * of the old members) are dropped; the backup keeps them.
 */
export function recoverNode(dataDir: string, opts: { now?: Date; backupDir?: string } = {}): RecoverResult {
  const report = inspectNode(dataDir);
  if (report.refusal) throw new ConfigError(report.refusal);
  assertOffline(dataDir);
  const backup = backupDataDir(dataDir, opts.now, opts.backupDir);
  // The new id first: a crash before the log is rewritten leaves a node that talks to nobody of the
  // old cluster (recover runs again), never a recovered log that old members could still reach.
  const clusterId = newClusterId();
  writeClusterId(dbPaths(dataDir).dir, clusterId);
  const recovery = recoverSoloLog(dbPaths(dataDir).raft, report.nodeId);
  rmSync(join(pkiPaths(dataDir).dir, 'join-peers.json'), { force: true });
  return { backup, clusterId, recovery };
}
