import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { applyConfChange, decodeConfChange, encodeConfChange, type ConfChange, type ConfState, type Entry, type HardState, type NodeId } from '../raft/index.js';
import { ConfigError } from '../util/index.js';
import { SqliteLogStorage } from './log-store.js';
import { SnapshotFiles, decodeDescriptor, encodeDescriptor } from './snapshots.js';

// Offline surgery on one node's raft.db, for the operations commands (`kplane recover`, `kplane
// snapshot restore`). Nothing here runs while a RaftNode has the files open: the callers check that
// no process holds them first.

/** What a node's durable Raft log says, read without changing anything. */
export interface RaftLogInfo {
  hardState: HardState;
  snapshot: { index: number; term: number; confState: ConfState };
  /** First and last index of the stored entries (first = last + 1 when none are stored). */
  firstIndex: number;
  lastIndex: number;
  /** Term of the last entry (or of the snapshot when no entry follows it): compare survivors by (lastTerm, lastIndex). */
  lastTerm: number;
  /** The configuration after every configuration entry in the log (committed or not). */
  confState: ConfState;
  /** Peer addresses and failure domains as of the last index. */
  members: Record<string, string>;
  domains: Record<string, string>;
}

/**
 * Reads raft.db (read-only: a running node may have it open). The configuration is the snapshot's
 * plus every configuration entry after it, as the engine rebuilds it when the log is replayed.
 */
export function inspectRaftLog(path: string): RaftLogInfo {
  if (!existsSync(path)) throw new ConfigError(`${path}: no raft log here (is this the data dir of a raftsqlite node?)`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const hard = db.prepare('SELECT term, vote, commit_index FROM hard_state WHERE id = 1').get() as { term: number; vote: number; commit_index: number };
    const snap = db.prepare('SELECT idx, term, conf_state, data FROM snapshot WHERE id = 1').get() as { idx: number; term: number; conf_state: string; data: Buffer };
    const start = db.prepare('SELECT idx, term FROM log_start WHERE id = 1').get() as { idx: number; term: number };
    const last = db.prepare('SELECT idx, term FROM entries ORDER BY idx DESC LIMIT 1').get() as { idx: number; term: number } | undefined;
    const d = decodeDescriptor(new Uint8Array(snap.data));
    let conf = JSON.parse(snap.conf_state) as ConfState;
    const members = new Map<NodeId, string>(d.members);
    const domains = new Map<NodeId, string>(d.domains ?? []);
    const confEntries = db.prepare('SELECT data FROM entries WHERE idx > ? AND type = 1 ORDER BY idx').pluck().all(snap.idx) as Buffer[];
    for (const data of confEntries) {
      const cc = decodeConfChange(new Uint8Array(data));
      conf = applyConfChange(conf, cc);
      if (cc.type === 'removeNode') {
        members.delete(cc.nodeId);
        domains.delete(cc.nodeId);
      } else if (cc.context && cc.context.length > 0) {
        const ctx = JSON.parse(Buffer.from(cc.context).toString('utf8')) as { address?: string; domain?: string };
        if (ctx.address) members.set(cc.nodeId, ctx.address);
        if (ctx.domain) domains.set(cc.nodeId, ctx.domain);
      }
    }
    const byId = (m: Map<NodeId, string>) => Object.fromEntries([...m].sort((a, b) => a[0] - b[0]).map(([id, v]) => [String(id), v]));
    return {
      hardState: { term: hard.term, vote: hard.vote, commit: hard.commit_index },
      snapshot: { index: snap.idx, term: snap.term, confState: JSON.parse(snap.conf_state) as ConfState },
      firstIndex: start.idx + 1,
      lastIndex: last?.idx ?? start.idx,
      lastTerm: last?.term ?? start.term,
      confState: conf,
      members: byId(members),
      domains: byId(domains),
    };
  } finally {
    db.close();
  }
}


/**
 * The configuration changes that leave `self` the only member: promote it first if it is a
 * standby (a configuration must never lose its last voter), then remove every other member.
 */
export function soloChanges(conf: ConfState, self: NodeId): ConfChange[] {
  const inConf = conf.voters.includes(self) || conf.learners.includes(self);
  if (!inConf) throw new ConfigError(`node ${self} is not a member of the configuration in its own log (voters ${conf.voters.join(',') || 'none'}, standbys ${conf.learners.join(',') || 'none'}); it cannot take the cluster over`);
  const out: ConfChange[] = [];
  if (!conf.voters.includes(self)) out.push({ type: 'addVoter', nodeId: self });
  for (const id of [...conf.voters, ...conf.learners].sort((a, b) => a - b)) if (id !== self) out.push({ type: 'removeNode', nodeId: id });
  return out;
}

export interface SoloRecovery {
  /** Index and term of the last entry before the recovery. */
  before: { lastIndex: number; lastTerm: number; commit: number };
  /** The configuration entries appended (indexes lastIndex+1 ...), all in `term`. */
  appended: ConfChange[];
  term: number;
  /** New last index = new commit index. */
  commit: number;
}

/**
 * Rewrites this node's log so that it restarts as the only voter of its cluster, keeping every entry
 * it holds: configuration entries removing the other members (and promoting this node if it was a
 * standby) are appended after the last entry in a new term, and the HardState declares the whole
 * log committed, with this node's vote in the new term. On restart the node replays the log as
 * usual, applying the entries its state has not seen and then the new configuration, and elects
 * itself: no dead peer is needed. Appending (rather than rewriting the snapshot's configuration)
 * keeps the configuration history of the log valid: the entries after the snapshot still replay to
 * the configuration the appended changes start from. Durable (one fsynced transaction) on return.
 */
export function recoverSoloLog(path: string, self: NodeId): SoloRecovery {
  const info = inspectRaftLog(path);
  const changes = soloChanges(info.confState, self);
  const term = Math.max(info.hardState.term, info.lastTerm) + 1;
  const entries: Entry[] = changes.map((cc, i) => ({ index: info.lastIndex + 1 + i, term, type: 'confChange', data: encodeConfChange(cc) }));
  const commit = info.lastIndex + entries.length;
  const log = new SqliteLogStorage(path);
  try {
    log.save({ entries, hardState: { term, vote: self, commit } });
  } finally {
    log.close();
  }
  return { before: { lastIndex: info.lastIndex, lastTerm: info.lastTerm, commit: info.hardState.commit }, appended: changes, term, commit };
}

export interface SeedOptions {
  /** Folder of raft.db and snapshots/ (must hold no raft.db yet). */
  dir: string;
  self: NodeId;
  /** https://HOST:PORT other nodes reach this node's Raft listener at. */
  peerAddress: string;
  domain?: string;
  /** A state image (a copy of the state DB) and the applied index and term it holds. */
  image: string;
  index: number;
  term: number;
}

/**
 * A fresh log for a one-voter cluster whose state starts at a restored image: the image becomes the
 * log's snapshot at (index, term), so the node serves it from the first start and sends it to nodes
 * that join later; the configuration is this node alone. Nothing of the old cluster's log is kept.
 */
export async function seedRaftLog(o: SeedOptions): Promise<void> {
  const path = join(o.dir, 'raft.db');
  if (existsSync(path)) throw new ConfigError(`${path} exists; seedRaftLog writes a new log only`);
  if (!Number.isSafeInteger(o.index) || o.index < 1) throw new ConfigError(`snapshot image applied index ${o.index}: not an image of a raftsqlite state`);
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const files = new SnapshotFiles(join(o.dir, 'snapshots'));
  const temp = files.tempPath('restore');
  copyFileSync(o.image, temp);
  const sealed = await files.seal(temp, o.index);
  const data = encodeDescriptor({ ...sealed, members: [[o.self, o.peerAddress]], domains: o.domain ? [[o.self, o.domain]] : [] });
  const log = new SqliteLogStorage(path);
  try {
    log.save({ snapshot: { metadata: { index: o.index, term: o.term, confState: { voters: [o.self], learners: [] } }, data }, entries: [], hardState: { term: o.term, vote: 0, commit: o.index } });
  } finally {
    log.close();
  }
}
