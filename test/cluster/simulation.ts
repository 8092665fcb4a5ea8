// The deterministic cluster simulation: N nodes running the real Raft core, seeded network, clocks,
// disks and faults, seeded clients, and the checkers at the end. Everything draws from one seeded PRNG
// in a fixed order and runs on one discrete-event loop, so a seed replays bit for bit.
//
// A run has two phases: chaos (clients + nemesis) and heal (faults stop, everything restarts, clients
// stop issuing new requests), after which the cluster must have converged (liveness) and every safety
// checker must pass.

import { MemoryLogStorage, encodeConfChange, type Message } from '../../internal/raft/index.js';
import { seededRand } from '../../internal/util/index.js';
import { KvClient, WatchClient, type ClusterPort, type WorkloadParams } from './client.js';
import { EventBudgetExceeded, EventLoop } from './event-loop.js';
import type { HistoryOp } from './history.js';
import { Network, type NetworkProfile } from './network.js';
import { FAULT_KINDS, Nemesis, type FaultProfile, type SimControl } from './nemesis.js';
import { RaftInvariants } from './raft-invariants.js';
import { SimNode, type NodeEnv } from './sim-node.js';
import type { Bug, NodeParams } from './sim-types.js';
import { checkRun } from './verdict.js';
import type { WatchStreamRecord } from './watch-checker.js';

export interface SimOptions {
  seed: number;
  /** Initial voters; default drawn from the seed (3 or 5). */
  nodes?: number;
  /** Chaos phase length in simulated ms (default 3000). */
  durationMs?: number;
  /** Heal phase length in simulated ms (default 3000). */
  healMs?: number;
  bugs?: Bug[];
  /** Overrides of the seed-drawn fault profile. */
  faults?: Partial<FaultProfile>;
  /** Override of the seed-drawn snapshot interval (entries; 0 = never compact). */
  snapshotEvery?: number;
  /** Collect a trace of notable events (leaders, faults). */
  verbose?: boolean;
  /** Return the client history and watch streams in SimResult.record. */
  keepRecord?: boolean;
  /**
   * Tell nodes when a peer's connections close (default true): a crashed process's peers hear it
   * at once (70% of crashes; the rest are power losses that close nothing), and a peer cut off or
   * paused for a ping interval is reported too (the transport's ping timeout, a wrong signal when
   * that peer is a live leader). Nodes then run the driver's early leader-loss campaign.
   */
  leaderLoss?: boolean;
}

export interface SimStats {
  simMs: number;
  events: number;
  ops: number;
  indeterminate: number;
  ackedWrites: number;
  elections: number;
  committedEntries: number;
  revisions: number;
  watchStreams: number;
  watchEvents: number;
  faults: number;
  crashes: number;
  messages: number;
  /** Campaigns started early after a lost leader connection. */
  earlyCampaigns: number;
  /** Linearizability checker: steps spent, wall time (not deterministic), and whether the search was needed. */
  checkerSteps: number;
  checkerMs: number;
  checkerSearched: number;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  /** Each failure starts with its checker in brackets: [safety], [linearizability], [watch], [durability], [liveness]. */
  failures: string[];
  params: string;
  stats: SimStats;
  trace: string[];
  /** The client history and the watch streams, when SimOptions.keepRecord asked for them (to study a seed). */
  record?: { history: HistoryOp[]; streams: WatchStreamRecord[] };
}

/** Initial log of a new cluster: one committed addVoter entry per founding member (as etcd bootstraps). */
function bootstrapStorage(ids: number[]): MemoryLogStorage {
  const s = new MemoryLogStorage();
  s.append(ids.map((id, i) => ({ term: 1, index: i + 1, type: 'confChange' as const, data: encodeConfChange({ type: 'addVoter', nodeId: id }) })));
  s.setHardState({ term: 1, vote: 0, commit: ids.length });
  return s;
}

export function runSimulation(opts: SimOptions): SimResult {
  const rand = seededRand(opts.seed);
  // Every parameter is drawn, in a fixed order, even when an option overrides it: the rest of the run
  // then stays the same as without the override where possible.
  const drawnNodes = rand() < 0.7 ? 3 : 5;
  const nodeCount = opts.nodes ?? drawnNodes;
  const calm: NetworkProfile = { dropRate: rand() * 0.02, duplicateRate: rand() * 0.02, minDelayMs: 0.5 + rand() * 1.5, maxDelayMs: 3 + rand() * 12 };
  const base: Omit<NodeParams, 'tickMs'> = {
    electionTick: 10,
    heartbeatTick: 1,
    fsyncMinMs: 0.2 + rand() * 1.5,
    fsyncMaxMs: 2 + rand() * 8,
    snapshotEvery: rand() < 0.4 ? 10 + Math.floor(rand() * 60) : 0,
    snapshotKeep: Math.floor(rand() * 10),
    maxBatch: 1 + Math.floor(rand() * 16),
  };
  if (opts.snapshotEvery !== undefined) base.snapshotEvery = opts.snapshotEvery;
  const faults: FaultProfile = { meanGapMs: 150 + rand() * 450 } as FaultProfile;
  for (const k of FAULT_KINDS) faults[k] = rand() < 0.6;
  Object.assign(faults, opts.faults);
  const keyCount = 2 + Math.floor(rand() * 4);
  const workload: WorkloadParams = {
    keys: Array.from({ length: keyCount }, (_, i) => `/k${i}`),
    timeoutMs: 300 + rand() * 500,
    thinkMaxMs: 5 + rand() * 40,
    maxRetries: Math.floor(rand() * 3),
  };
  const kvClients = 3 + Math.floor(rand() * 3);
  const watchClients = 1 + Math.floor(rand() * 3);
  const durationMs = opts.durationMs ?? 3000;
  const healMs = opts.healMs ?? 3000;
  const bugs = new Set(opts.bugs ?? []);

  const loop = new EventLoop();
  const net = new Network(loop, rand, { ...calm });
  const inv = new RaftInvariants();
  const trace: string[] = [];
  const log = (msg: string) => {
    if (opts.verbose) trace.push(`${loop.now.toFixed(1).padStart(8)} ${msg}`);
  };
  const history: HistoryOp[] = [];
  const streams: WatchStreamRecord[] = [];
  const nodes = new Map<number, SimNode>();
  const decommissioned = new Set<number>();
  const kv = new Map<number, KvClient>();
  const watchers = new Map<number, WatchClient>();
  const streamOwner = new Map<number, number>();
  const streamDeliverAt = new Map<number, number>();
  let crashes = 0;
  // The leader-loss signals draw from their own stream, so the main stream's order is unchanged
  // (runs differ only from the moment a signal changes what the nodes do).
  const lossRand = seededRand((opts.seed * 0x9e3779b1) ^ 0x5bd1e995);
  const leaderLoss = opts.leaderLoss ?? true;
  let nextStream = 1;

  const clientDelay = () => 0.5 + rand() * 4;
  const streamSend = (stream: number, fn: () => void) => {
    const at = Math.max(streamDeliverAt.get(stream) ?? 0, loop.now + clientDelay());
    streamDeliverAt.set(stream, at);
    loop.after(at - loop.now, fn);
  };

  const env: NodeEnv = {
    loop,
    net,
    rand,
    bugs,
    hooks: {
      reply(_node, client, reply) {
        if (rand() < 0.01) return; // a lost response: the client times out
        loop.after(clientDelay(), () => kv.get(client)?.receive(reply));
      },
      watchBatch(_node, stream, batch) {
        const w = watchers.get(streamOwner.get(stream) ?? -1);
        if (w) streamSend(stream, () => w.receive(stream, batch));
      },
      watchClosed(_node, stream) {
        const w = watchers.get(streamOwner.get(stream) ?? -1);
        if (w) streamSend(stream, () => w.closed(stream));
      },
      onReady(id, rd) {
        const n = nodes.get(id)!;
        const st = n.raft.status();
        if (rd.softState) log(`n${id} ${rd.softState.role} term=${st.hardState.term} leader=${rd.softState.leader}`);
        inv.onReady(id, rd, st, n.disk.log, loop.now);
      },
      onApply(id, e) {
        inv.onApply(id, e);
      },
    },
  };

  const params = (): NodeParams => ({ ...base, tickMs: 10 * (0.9 + 0.2 * rand()) });
  const addNode = (id: number, storage: MemoryLogStorage): SimNode => {
    const n = new SimNode(id, storage, params(), env);
    nodes.set(id, n);
    net.register(id, { incarnation: () => n.incarnation(), isUp: () => n.up, deliver: (m) => n.receiveRaft(m as Message) });
    n.start();
    return n;
  };
  const founders = Array.from({ length: nodeCount }, (_, i) => i + 1);
  for (const id of founders) addNode(id, bootstrapStorage(founders));

  const members = () => [...nodes.values()].filter((n) => !decommissioned.has(n.id));
  const control: SimControl = {
    loop,
    rand,
    net,
    calmProfile: calm,
    members,
    leader() {
      let best: SimNode | undefined;
      for (const n of members()) {
        if (!n.up || n.paused || !n.isLeader()) continue;
        if (!best || n.raft.status().hardState.term > best.raft.status().hardState.term) best = n;
      }
      return best;
    },
    crash(n) {
      crashes++;
      log(`crash n${n.id}`);
      n.crash();
      // A crashed process's kernel resets its connections (a power loss would not): peers on a
      // working link hear it after one network delay.
      if (!leaderLoss || lossRand() >= 0.7) return;
      for (const m of members()) {
        if (m === n || !m.up || net.isBlocked(n.id, m.id) || net.isBlocked(m.id, n.id)) continue;
        loop.after(calm.minDelayMs, () => m.peerLost(n.id, lossRand));
      }
    },
    restart(n) {
      if (n.up || decommissioned.has(n.id)) return;
      log(`restart n${n.id}`);
      n.start();
    },
    addNode() {
      const id = Math.max(...nodes.keys()) + 1;
      log(`add node n${id}`);
      return addNode(id, new MemoryLogStorage());
    },
    decommission(n) {
      log(`decommission n${n.id}`);
      decommissioned.add(n.id);
      n.stop();
    },
    trace: log,
  };

  const port: ClusterPort = {
    members: () => members().map((n) => n.id),
    sendRequest(node, req) {
      if (rand() < 0.01) return; // a lost request: the client times out
      loop.after(clientDelay(), () => {
        const n = nodes.get(node);
        if (n && !decommissioned.has(node)) n.receiveClient(req);
      });
    },
    openWatch(node, stream, client, prefix, after) {
      streamOwner.set(stream, client);
      loop.after(clientDelay(), () => {
        const n = nodes.get(node);
        if (n && n.up && !decommissioned.has(node)) n.openWatch(stream, prefix, after);
        else env.hooks.watchClosed(node, stream);
      });
    },
    cancelWatch(node, stream) {
      nodes.get(node)?.cancelWatch(stream);
    },
  };

  for (let i = 1; i <= kvClients; i++) kv.set(i, new KvClient(i, loop, rand, port, workload, history));
  for (let i = 1; i <= watchClients; i++) {
    const id = kvClients + i;
    const prefix = i === 1 ? '' : workload.keys[Math.floor(rand() * keyCount)]!;
    watchers.set(id, new WatchClient(id, loop, rand, port, prefix, streams, () => nextStream++));
  }
  for (const c of kv.values()) c.start();
  for (const w of watchers.values()) w.start();

  const nemesis = new Nemesis(control, faults, { minVoters: 3, maxVoters: Math.max(5, nodeCount) });
  nemesis.start();
  const checkLogs = () => inv.checkLogMatching([...nodes.values()].map((n) => ({ node: n.id, log: n.disk.log })));
  const periodic = () => {
    checkLogs();
    if (loop.now < durationMs + healMs) loop.after(500, periodic);
  };
  loop.after(500, periodic);

  // The transport's ping timeout: a link cut (either way) or a peer paused for a whole ping interval
  // (about one election timeout here, as the real transport's 2 s against 1-2 s) is reported lost on
  // both ends. When that peer is a live leader this is the wrong signal, and safety must not care.
  const PING_MS = 150;
  let silent = new Set<string>();
  const ping = () => {
    const now = new Set<string>();
    const all = members().filter((n) => n.up);
    for (const a of all) {
      for (const b of all) {
        if (a === b || !(net.isBlocked(a.id, b.id) || net.isBlocked(b.id, a.id) || b.paused)) continue;
        const key = `${a.id}>${b.id}`;
        now.add(key);
        if (silent.has(key)) a.peerLost(b.id, lossRand);
      }
    }
    silent = now;
    if (loop.now < durationMs + healMs) loop.after(PING_MS, ping);
  };
  if (leaderLoss) loop.after(PING_MS, ping);

  let crashed: string | undefined;
  // A healthy run needs about 4-8 events per simulated ms (max 7.4 over 300 seeds); 30 is a storm or a livelock.
  const budget = (durationMs + healMs) * 30 * (nodeCount / 3);
  try {
    loop.runUntil(durationMs, budget);
    nemesis.stopAndHeal();
    loop.runUntil(durationMs + healMs / 2, budget);
    for (const c of kv.values()) c.active = false;
    for (const w of watchers.values()) w.active = false;
    loop.runUntil(durationMs + healMs, budget);
    checkLogs();
  } catch (err) {
    // An exception from the core (a broken assertion) or the simulator ends the run: the seed fails.
    crashed =
      err instanceof EventBudgetExceeded
        ? `[liveness] ${err.message} (${net.sent} messages sent)`
        : `[crash] at t=${loop.now.toFixed(1)}: ${(err as Error).stack ?? String(err)}`;
    log(crashed);
  }

  for (const n of members()) {
    if (!n.up) continue;
    const st = n.raft.status();
    const prog = st.progress ? ' progress=' + [...st.progress].map(([id, p]) => `${id}:${p.state}/m${p.match}/n${p.next}${p.recentActive ? '' : '/inactive'}`).join(',') : '';
    log(`end n${n.id} ${st.softState.role} term=${st.hardState.term} commit=${st.hardState.commit} applied=${n.sm.appliedIndex()} last=${st.lastIndex} voters=${st.config.voters} learners=${st.config.learners}${prog}`);
  }
  const verdict = checkRun({ history, streams, invariants: inv, members: members(), leader: control.leader() });
  const stats: SimStats = {
    simMs: loop.now,
    events: loop.executed,
    ops: history.filter((o) => !o.void).length,
    indeterminate: history.filter((o) => !o.void && o.ret === undefined).length,
    ackedWrites: history.filter((o) => o.output?.kind === 'write' && o.output.succeeded).length,
    elections: inv.elections,
    committedEntries: inv.maxApplied,
    revisions: verdict.revisions,
    watchStreams: streams.length,
    watchEvents: streams.reduce((n, s) => n + s.batches.reduce((m, b) => m + b.events.length, 0), 0),
    faults: nemesis.injected,
    crashes,
    messages: net.sent,
    earlyCampaigns: [...nodes.values()].reduce((k, n) => k + n.earlyCampaigns, 0),
    checkerSteps: verdict.checker.steps,
    checkerMs: verdict.checker.ms,
    checkerSearched: verdict.checker.method === 'search' ? 1 : 0,
  };
  const enabled = FAULT_KINDS.filter((k) => faults[k]).join(',') || 'none';
  const paramText =
    `nodes=${nodeCount} kvClients=${kvClients} watchers=${watchClients} keys=${keyCount} faults=[${enabled}] gap=${faults.meanGapMs.toFixed(0)}ms ` +
    `snapshotEvery=${base.snapshotEvery} fsync=${base.fsyncMinMs.toFixed(1)}-${base.fsyncMaxMs.toFixed(1)}ms bugs=[${[...bugs].join(',')}]`;
  // After an aborted run, convergence is meaningless; the safety checkers still apply to what happened.
  const failures = crashed ? [crashed, ...verdict.failures.filter((f) => !f.startsWith('[liveness]'))] : verdict.failures;
  const record = opts.keepRecord ? { history, streams } : undefined;
  return { seed: opts.seed, ok: failures.length === 0, failures, params: paramText, stats, trace, record };
}
