// Spares (issue 5, datastore-anchors.md §d.5). Design:
// 1. Roles: the leader keeps at most `standbys` (2) replicating non-voters; further nodes are spares,
//    recorded in the committed membership (a removeNode entry whose context marks it spare; snapshot
//    descriptors carry the spares), so every node and every snapshot agrees who the spares are.
// 2. A spare has no replica. Its Backend is a RemoteBackend that forwards every call to a member's
//    /kplane/backend websocket (mutual TLS, node certificates) on the member's API port. The member
//    runs its own read barrier and Raft proposals; watches resume on another member after their last
//    revision. Members publish their API URL under NODES_PREFIX in the replicated KV, for spares.
// 3. A spare pings every member's Raft peer listener each second (an empty frame): the leader's
//    role manager then counts it online and may make it a standby.
// 4. This NodeDatastore holds the current mode and switches: a spare listed as a standby opens its
//    local raftsqlite (a learner that catches up by snapshot), waits for a read barrier, then serves
//    from it; remote watches end, so the watch cache relists and clients re-watch. A standby that a
//    member reports as a spare switches back and closes its engine. db/spare marks the mode on disk.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pino from 'pino';
import { RemoteBackend, dialBackend, type AdmitRequest, type RaftSqliteBackend, type RpcChannel } from '../backends/index.js';
import { FrameKind, WsTransport, decodeMemberContext, encodeFrame, encodeMemberContext, type RaftNodeStatus } from '../raftnode/index.js';
import { StorageError, type Backend, type BackendStatus, type GetResult, type ListOptions, type ListResult, type ReadOptions, type WatchBatch, type WatchOptions, type WriteResult } from '../storage/index.js';

/** Where members publish their API URL in the replicated KV: NODES_PREFIX + id → {"api": URL}. */
export const NODES_PREFIX = '/kplane/nodes/';

/**
 * The published API URLs of the current members (voters and standbys, the nodes with a replica) by
 * node id. Entries stay behind when a node leaves or is removed; the committed membership in `st`
 * decides who is still there, so nobody is sent to a departed node.
 */
export async function readNodeDirectory(b: Backend, st: Pick<RaftNodeStatus, 'voters' | 'learners'>): Promise<Map<number, string>> {
  const members = new Set([...st.voters, ...st.learners]);
  const out = new Map<number, string>();
  for (const kv of (await b.list(NODES_PREFIX)).kvs) {
    const id = Number(kv.key.slice(NODES_PREFIX.length));
    const api = (JSON.parse(Buffer.from(kv.value).toString('utf8')) as { api?: string }).api;
    if (Number.isSafeInteger(id) && api && members.has(id)) out.set(id, api);
  }
  return out;
}

/** A member's answer to a spare's 'cluster' request: its committed membership and the API directory. */
export type ClusterInfo = RaftNodeStatus & { apis: Record<string, string> };

export interface NodeDatastoreOptions {
  id: number;
  /** The node's db folder (markers: `spare`; caches: `member-apis.json`). */
  dbDir: string;
  /** This node's certificate (a node certificate) and the CA, to dial members. */
  tls: { key: string; cert: string; ca: string };
  /** Opens the local replicated store (raftsqlite; as a learner it catches up from the leader). */
  openLocal(peers?: Record<string, string>): RaftSqliteBackend;
  /** API URLs to try when no member is known yet (the join URL). */
  seeds: string[];
  log: pino.Logger;
  /** How often the mode is checked. Default 1000 ms. */
  pollMs?: number;
  /** Opens a channel to a member's backend service (default: dialBackend with `tls`; tests: in memory). */
  dial?: (apiUrl: string) => Promise<RpcChannel>;
  /** Ping members' Raft peer listeners while a spare (default true; off in tests without a peer network). */
  ping?: boolean;
  /** The cluster id sent in the peer handshake of the pings (members refuse another cluster's). */
  clusterId?: string;
}

type Mode = { kind: 'local'; local: RaftSqliteBackend } | { kind: 'spare'; remote: RemoteBackend };

/**
 * A node's datastore, local replica or (on a spare) a remote one, switched while it serves. Every
 * Backend call goes to the mode current when it is made; a switch closes the old backend, which ends
 * its watches (the watch cache relists from the new one).
 */
export class NodeDatastore implements Backend {
  private mode: Mode;
  private readonly apis = new Map<number, string>();
  private info: ClusterInfo | undefined;
  private infoAt = 0;
  private pinger: WsTransport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private switching = false;
  private closed = false;
  private polls = 0;
  private probes = 0;
  private failures = 0;
  private apiUrl: string | undefined;
  private readonly served = new Set<RpcChannel>();
  readonly status: BackendStatus;

  constructor(private readonly opts: NodeDatastoreOptions) {
    for (const [id, url] of Object.entries(this.readJson<Record<string, string>>('member-apis.json') ?? {})) this.apis.set(Number(id), url);
    this.mode = existsSync(this.markerPath) ? { kind: 'spare', remote: this.openRemote() } : { kind: 'local', local: opts.openLocal() };
    if (this.mode.kind === 'spare') opts.log.info({ node: opts.id }, 'starting as a spare: no local replica; the API is served through a member');
    this.status = {
      name: 'raftsqlite',
      ready: () => (this.mode.kind === 'local' ? this.mode.local.status.ready() : !this.closed && Date.now() - this.infoAt < 5000),
      stats: () => (this.mode.kind === 'local' ? this.mode.local.status.stats() : { role: 'spare', memberInfoAgeMs: Date.now() - this.infoAt }),
    };
    this.schedule();
  }

  /** This cluster's id (db/cluster-id), when the data dir has one. */
  get clusterId(): string | undefined {
    return this.opts.clusterId;
  }

  /** Whether this node serves from a member (a spare) right now. */
  get isSpare(): boolean {
    return this.mode.kind === 'spare';
  }

  /** The local Raft node (status, leave, snapshots), or a read-only stand-in on a spare. */
  get node(): RaftSqliteBackend['node'] {
    if (this.mode.kind === 'local') return this.mode.local.node;
    const remote = this.mode.remote;
    return spareNode(this.opts.id, () => this.spareStatus(), () => remote.leave(), (req) => remote.admit(req)) as unknown as RaftSqliteBackend['node'];
  }

  /** The status a spare reports: the member's committed membership, seen from here. */
  spareStatus(): RaftNodeStatus & { spare: true } {
    const i = this.info;
    const base = { id: this.opts.id, role: 'follower' as const, leader: i?.leader ?? 0, term: i?.term ?? 0, commit: i?.commit ?? 0, applied: i?.applied ?? 0, lastIndex: 0, snapshotIndex: 0 };
    return { ...base, voters: i?.voters ?? [], learners: i?.learners ?? [], members: i?.members ?? {}, domains: i?.domains ?? {}, spares: i?.spares ?? { [String(this.opts.id)]: '' }, spare: true };
  }

  /** What this node tells a spare it serves (the 'cluster' request). */
  async describe(): Promise<ClusterInfo> {
    if (this.mode.kind !== 'local') throw new Error('this node is a spare');
    const st = this.mode.local.node.status();
    const apis = await readNodeDirectory(this.mode.local, st);
    return { ...st, apis: Object.fromEntries([...apis].map(([id, u]) => [String(id), u])) };
  }

  /**
   * Removes spare `id` from the membership for it (its `kplane leave`; the id comes from the
   * caller's node certificate, so a spare can remove only itself). Only spares: members leave on
   * their own node, where a leader first hands over.
   */
  async removeSpare(id: number): Promise<{ removed: number }> {
    if (this.mode.kind !== 'local') throw new Error('this node is a spare');
    const node = this.mode.local.node;
    if (node.status().spares?.[String(id)] === undefined) throw new Error(`node ${id} is not a spare`);
    await node.changeMembership({ type: 'removeNode', nodeId: id }, undefined, 10_000);
    return { removed: id };
  }

  /**
   * Adds a NEW node for a spare that signed its join (the node holding the CA key may be a spare):
   * a standby becomes a learner, a spare is recorded, exactly as a join on this node would. Ids
   * already in the membership are refused, so no caller can change or remove an existing member.
   */
  async admitNode(req: AdmitRequest): Promise<{ nodeId: number }> {
    if (this.mode.kind !== 'local') throw new Error('this node is a spare');
    const node = this.mode.local.node;
    const st = node.status();
    const known = [...st.voters, ...st.learners, ...Object.keys(st.members).map(Number), ...Object.keys(st.spares ?? {}).map(Number)];
    if (!Number.isSafeInteger(req.nodeId) || req.nodeId <= 0 || known.includes(req.nodeId)) throw new Error(`node ${req.nodeId} is not a new node id`);
    await recordJoin(node, req);
    return { nodeId: req.nodeId };
  }

  /** Takes a channel a spare opened to this node (false on a spare: closed); closed if this node becomes one. */
  accept(ch: RpcChannel): boolean {
    if (this.mode.kind !== 'local') {
      ch.close();
      return false;
    }
    this.served.add(ch);
    ch.onClose(() => this.served.delete(ch));
    return true;
  }

  /** Publishes this member's API URL in the directory (retried until a leader takes the write). */
  async publishApi(url: string): Promise<void> {
    this.apiUrl = url;
    const key = `${NODES_PREFIX}${this.opts.id}`;
    const value = new TextEncoder().encode(JSON.stringify({ api: url }));
    for (let i = 0; i < 60 && !this.closed && this.mode.kind === 'local'; i++) {
      try {
        const cur = await this.get(key);
        if (cur.kv && Buffer.from(cur.kv.value).equals(Buffer.from(value))) return;
        const r = cur.kv ? await this.update(key, value, cur.kv.modRevision) : await this.create(key, value);
        if (r.succeeded) return;
      } catch {
        // no leader yet, or a race with a restart: try again
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  // ---- Backend: the current mode's -------------------------------------------------------------------

  private get b(): Backend {
    return this.mode.kind === 'local' ? this.mode.local : this.mode.remote;
  }
  get(key: string, opts?: ReadOptions): Promise<GetResult> {
    return this.b.get(key, opts);
  }
  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return this.b.list(prefix, opts);
  }
  create(key: string, value: Uint8Array, opts?: { lease?: number }): Promise<WriteResult> {
    return this.b.create(key, value, opts);
  }
  update(key: string, value: Uint8Array, expectedModRevision: number, opts?: { lease?: number }): Promise<WriteResult> {
    return this.b.update(key, value, expectedModRevision, opts);
  }
  delete(key: string, opts?: { expectedModRevision?: number }): Promise<WriteResult> {
    return this.b.delete(key, opts);
  }
  /**
   * A watch on the current mode. A mode switch ends it with Unavailable (never silently): the
   * consumer watches again from the last revision it saw (the watch cache relists).
   */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchBatch> {
    const inner = this.b.watch(prefix, opts);
    const stillOpen = () => !opts.signal.aborted && !this.closed;
    return {
      async *[Symbol.asyncIterator]() {
        yield* inner;
        if (stillOpen()) throw new StorageError('Unavailable', 'this node switched between its own replica and a member; watch again from the last revision');
      },
    };
  }
  grantLease(ttlSeconds: number): Promise<number> {
    return this.b.grantLease(ttlSeconds);
  }
  currentRevision(): Promise<{ revision: number; compactRevision: number }> {
    return this.b.currentRevision();
  }
  compact(revision: number): Promise<void> {
    return this.b.compact(revision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.pinger?.close();
    for (const ch of this.served) ch.close();
    await this.b.close();
  }

  // ---- mode switches ----------------------------------------------------------------------------------

  private get markerPath(): string {
    return join(this.opts.dbDir, 'spare');
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.poll()
        .catch((err: Error) => this.opts.log.debug({ err: err.message }, 'spare check failed'))
        .finally(() => this.schedule());
    }, this.opts.pollMs ?? 1000);
  }

  private async poll(): Promise<void> {
    if (this.switching || this.closed) return;
    this.polls++;
    if (this.mode.kind === 'spare') {
      const remote = this.mode.remote;
      const info = await remote.cluster<ClusterInfo>().catch((err: Error) => {
        // A member that answers but cannot serve (it lost its leader, or is about to learn that it is
        // a spare itself) keeps the connection up: move on to the next member after a few failures.
        if (++this.failures % 3 === 0) {
          this.opts.log.warn({ err: err.message, failures: this.failures }, 'the member serving this spare does not answer; trying the next member');
          remote.nextMember();
        }
        throw err;
      });
      this.failures = 0;
      this.learn(info);
      this.ping(info);
      if (info.voters.includes(this.opts.id) || info.learners.includes(this.opts.id)) await this.promote(info);
      return;
    }
    const local = this.mode.local;
    const st = local.node.status();
    if (st.spares?.[String(this.opts.id)] !== undefined) return this.demote();
    const healthy = st.leader !== 0 && st.voters.includes(this.opts.id);
    if (healthy) {
      if (this.polls % 10 === 1) this.learnDirectory(await readNodeDirectory(local, st));
      return;
    }
    // A standby (or a node without a leader) may have been made a spare without ever applying that
    // entry (the leader stops replicating to it): ask a member.
    if (this.polls % 2 === 0) return;
    if (st.leader !== 0 && this.polls % 10 === 1) this.learnDirectory(await readNodeDirectory(local, st).catch(() => new Map()));
    const info = await this.askMembers();
    if (info?.spares?.[String(this.opts.id)] !== undefined) {
      this.learn(info);
      await this.demote();
    }
  }

  /**
   * The committed membership from the first member that answers, trying every candidate in turn
   * (starting one further each time), so a candidate that refuses or cannot serve, such as another
   * node demoted while it was down, never hides the others. Undefined when none answers.
   */
  private async askMembers(): Promise<ClusterInfo | undefined> {
    const urls = this.candidates();
    const start = this.probes++;
    for (let i = 0; i < urls.length && !this.closed; i++) {
      const url = urls[(start + i) % urls.length]!;
      const probe = new RemoteBackend({
        reconnectTimeoutMs: 0,
        requestTimeoutMs: 3000,
        connect: () => (this.opts.dial ? this.opts.dial(url) : dialBackend(url, this.opts.tls, 2000, this.opts.clusterId)),
      });
      try {
        const info = await probe.cluster<ClusterInfo>();
        if (info.id !== this.opts.id) return info;
      } catch (err) {
        this.opts.log.debug({ url, err: (err as Error).message }, 'member did not describe the cluster');
      } finally {
        await probe.close();
      }
    }
    return undefined;
  }

  private async promote(info: ClusterInfo): Promise<void> {
    this.switching = true;
    const log = this.opts.log;
    log.info({ node: this.opts.id }, 'this spare is now a standby: opening the local replica (it catches up from the leader)');
    let local: RaftSqliteBackend | undefined;
    try {
      local = this.opts.openLocal(info.members);
      // Serve from the replica only once a read barrier passes: it has applied what the leader committed.
      const deadline = Date.now() + 120_000;
      for (;;) {
        try {
          await local.currentRevision();
          break;
        } catch (err) {
          // Not caught up or no leader known yet (a barrier can fail at once): wait, never spin.
          if (Date.now() > deadline || this.closed) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      if (this.closed) throw new Error('closed while catching up');
      const old = this.mode;
      this.mode = { kind: 'local', local };
      rmSync(this.markerPath, { force: true });
      await this.pinger?.close();
      this.pinger = undefined;
      if (old.kind === 'spare') await old.remote.close();
      log.info({ node: this.opts.id }, 'standby: serving from the local replica');
      if (this.apiUrl) void this.publishApi(this.apiUrl);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'switching to the local replica failed; staying a spare');
      if (local && this.mode.kind !== 'local') await local.close().catch(() => undefined);
    } finally {
      this.switching = false;
    }
  }

  private async demote(): Promise<void> {
    if (this.mode.kind !== 'local') return;
    this.switching = true;
    try {
      this.opts.log.info({ node: this.opts.id }, 'this node is now a spare: closing the local replica; the API is served through a member');
      writeFileSync(this.markerPath, 'spare\n', { mode: 0o600 });
      const old = this.mode.local;
      this.mode = { kind: 'spare', remote: this.openRemote() };
      for (const ch of this.served) ch.close();
      await old.close();
    } finally {
      this.switching = false;
    }
  }

  private openRemote(): RemoteBackend {
    return new RemoteBackend({
      reconnectTimeoutMs: 10_000,
      connect: (attempt) => {
        const urls = this.candidates();
        if (urls.length === 0) return Promise.reject(new Error('no member API URL known'));
        const url = urls[attempt % urls.length]!;
        return this.opts.dial ? this.opts.dial(url) : dialBackend(url, this.opts.tls, 2000, this.opts.clusterId);
      },
    });
  }

  /** Member API URLs to try, directory entries first (the leader's last), then the seeds. */
  private candidates(): string[] {
    const leader = this.info?.leader;
    const known = [...this.apis].filter(([id]) => id !== this.opts.id && (this.info === undefined || this.info.spares?.[String(id)] === undefined));
    known.sort((a, b) => Number(a[0] === leader) - Number(b[0] === leader) || a[0] - b[0]);
    return [...new Set([...known.map(([, u]) => u), ...this.opts.seeds])];
  }

  private learn(info: ClusterInfo): void {
    this.info = info;
    this.infoAt = Date.now();
    this.learnDirectory(new Map(Object.entries(info.apis ?? {}).map(([id, u]) => [Number(id), u])));
  }

  private learnDirectory(apis: Map<number, string>): void {
    if (apis.size === 0) return;
    this.apis.clear();
    for (const [id, u] of apis) this.apis.set(id, u);
    writeFileSync(join(this.opts.dbDir, 'member-apis.json'), JSON.stringify(Object.fromEntries(this.apis)), { mode: 0o600 });
  }


  /** Tells every member's peer listener this spare is alive (the leader's role manager counts it online). */
  private ping(info: ClusterInfo): void {
    if (this.opts.ping === false) return;
    this.pinger ??= new WsTransport({ id: this.opts.id, tls: this.opts.tls, clusterId: this.opts.clusterId });
    this.pinger.setPeers(new Map(Object.entries(info.members).map(([id, a]) => [Number(id), a])));
    const frame = encodeFrame({ kind: FrameKind.Messages, messages: [] });
    for (const id of Object.keys(info.members)) this.pinger.send(Number(id), frame);
  }

  private readJson<T>(name: string): T | undefined {
    const p = join(this.opts.dbDir, name);
    try {
      return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Records a joining node in the membership through the log: a standby as a learner (it replicates),
 * a spare as a removeNode entry whose context marks it spare (recorded, no replica). On a spare's
 * stand-in node (spareNode) the same calls become an 'admit' request to a member.
 */
export async function recordJoin(node: Pick<RaftSqliteBackend['node'], 'changeMembership'>, req: AdmitRequest): Promise<void> {
  if (req.role === 'spare') {
    const context = encodeMemberContext({ spare: true, address: req.address, domain: req.domain });
    await node.changeMembership({ type: 'removeNode', nodeId: req.nodeId, context }, undefined, 10_000);
  } else {
    await node.changeMembership({ type: 'addLearner', nodeId: req.nodeId }, req.address, 10_000, req.domain);
  }
}

/**
 * What the cluster routes use of a Raft node, on a spare: status, its own removal (leave) and the
 * addition of joining nodes (a spare may hold the CA key and sign joins) through the member it
 * uses, and refusals for the rest.
 */
function spareNode(id: number, status: () => RaftNodeStatus, leave: () => Promise<unknown>, admit: (req: AdmitRequest) => Promise<unknown>) {
  const refuse = () => Promise.reject(new Error('this node is a spare (no local replica); run this on a voter or standby'));
  return {
    id,
    status,
    isLeader: () => false,
    get leaderId() {
      return status().leader;
    },
    waitForLeader: async () => status().leader,
    changeMembership: async (cc: { type: string; nodeId: number; context?: Uint8Array }, address?: string, _timeoutMs?: number, domain?: string) => {
      const ctx = decodeMemberContext(cc.context);
      if (cc.type === 'removeNode' && cc.nodeId === id) await leave();
      else if (cc.nodeId !== id && cc.type === 'addLearner' && address) await admit({ nodeId: cc.nodeId, role: 'standby', address, ...(domain ? { domain } : {}) });
      else if (cc.nodeId !== id && cc.type === 'removeNode' && ctx.spare && ctx.address) await admit({ nodeId: cc.nodeId, role: 'spare', address: ctx.address, ...(ctx.domain ? { domain: ctx.domain } : {}) });
      else return refuse();
      return { voters: status().voters, learners: status().learners };
    },
    takeSnapshot: refuse,
    transferLeadership: () => undefined,
  };
}
