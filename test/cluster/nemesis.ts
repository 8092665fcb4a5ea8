// Seeded fault injection. Each run enables a random subset of fault kinds (swarm testing: runs differ
// in what they stress, not only in timing), then injects one fault at a time at random intervals:
// partitions (symmetric, asymmetric, leader isolation), crashes that lose unsynced writes (sometimes
// of several nodes at once), process pauses, slow disks, clock-rate changes, packet loss/duplication/
// delay storms, leader transfers, and membership changes (add learner → promote → remove a voter).

import type { Rand } from '../../internal/util/index.js';
import type { EventLoop } from './event-loop.js';
import type { Network, NetworkProfile } from './network.js';
import type { SimNode } from './sim-node.js';

export interface FaultProfile {
  partitions: boolean;
  crashes: boolean;
  pauses: boolean;
  slowDisks: boolean;
  clocks: boolean;
  packetStorms: boolean;
  leaderTransfers: boolean;
  membership: boolean;
  /** Mean simulated ms between faults. */
  meanGapMs: number;
}

export type FaultKind = Exclude<keyof FaultProfile, 'meanGapMs'>;
export const FAULT_KINDS: FaultKind[] = ['partitions', 'crashes', 'pauses', 'slowDisks', 'clocks', 'packetStorms', 'leaderTransfers', 'membership'];

/** The parts of the simulation the nemesis drives. */
export interface SimControl {
  loop: EventLoop;
  rand: Rand;
  net: Network;
  calmProfile: NetworkProfile;
  /** Nodes that are members (not decommissioned), up or down. */
  members(): SimNode[];
  leader(): SimNode | undefined;
  crash(n: SimNode): void;
  restart(n: SimNode): void;
  addNode(): SimNode;
  decommission(n: SimNode): void;
  trace(msg: string): void;
}

function pick<T>(rand: Rand, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

function shuffle<T>(rand: Rand, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

export class Nemesis {
  private stopped = false;
  private partitionActive = false;
  private membershipBusy = false;
  injected = 0;

  constructor(
    private readonly c: SimControl,
    private readonly profile: FaultProfile,
    private readonly limits: { minVoters: number; maxVoters: number },
  ) {}

  start(): void {
    const kinds = FAULT_KINDS.filter((k) => this.profile[k]);
    if (kinds.length === 0) return;
    const loop = () => {
      if (this.stopped) return;
      this.inject(pick(this.c.rand, kinds));
      this.c.loop.after(this.profile.meanGapMs * (0.3 + 1.4 * this.c.rand()), loop);
    };
    this.c.loop.after(this.profile.meanGapMs * this.c.rand(), loop);
  }

  /** Ends the chaos: heal the network, restart and resume everything, restore disks and clocks. */
  stopAndHeal(): void {
    this.stopped = true;
    this.c.net.heal();
    this.partitionActive = false;
    this.c.net.profile = { ...this.c.calmProfile };
    for (const n of this.c.members()) {
      n.slowDiskMs = 0;
      n.clockRate = 1;
      if (!n.up) this.c.restart(n);
      else n.resume();
    }
    this.c.trace('nemesis: healed');
  }

  private later(ms: number, fn: () => void): void {
    this.c.loop.after(ms, () => {
      if (!this.stopped) fn();
    });
  }

  private inject(kind: FaultKind): void {
    this.injected++;
    const { rand } = this.c;
    const up = this.c.members().filter((n) => n.up);
    if (up.length === 0) return;
    switch (kind) {
      case 'partitions':
        return this.partition();
      case 'crashes': {
        const victims = rand() < 0.3 ? shuffle(rand, [...up]).slice(0, 2 + Math.floor(rand() * (up.length - 1))) : [pick(rand, up)];
        for (const n of victims) {
          this.c.crash(n);
          this.later(30 + rand() * 800, () => this.c.restart(n));
        }
        return;
      }
      case 'pauses': {
        const n = rand() < 0.5 ? (this.c.leader() ?? pick(rand, up)) : pick(rand, up);
        n.pause();
        this.c.trace(`nemesis: pause ${n.id}`);
        this.later(100 + rand() * 700, () => n.resume());
        return;
      }
      case 'slowDisks': {
        const n = pick(rand, up);
        n.slowDiskMs = 10 + rand() * 90;
        this.c.trace(`nemesis: slow disk ${n.id} +${n.slowDiskMs.toFixed(0)}ms`);
        this.later(300 + rand() * 1500, () => (n.slowDiskMs = 0));
        return;
      }
      case 'clocks': {
        const n = pick(rand, up);
        n.clockRate = rand() < 0.5 ? 0.4 + rand() * 0.5 : 1.2 + rand() * 1.5;
        this.c.trace(`nemesis: clock rate ${n.id} x${n.clockRate.toFixed(2)}`);
        this.later(300 + rand() * 2000, () => (n.clockRate = 1));
        return;
      }
      case 'packetStorms': {
        const p = this.c.calmProfile;
        this.c.net.profile = {
          dropRate: rand() * 0.3,
          duplicateRate: rand() * 0.15,
          minDelayMs: p.minDelayMs,
          maxDelayMs: p.maxDelayMs + rand() * 60,
        };
        this.c.trace(`nemesis: packet storm drop=${this.c.net.profile.dropRate.toFixed(2)}`);
        this.later(200 + rand() * 1000, () => (this.c.net.profile = { ...p }));
        return;
      }
      case 'leaderTransfers': {
        const l = this.c.leader();
        const to = l && this.c.members().filter((n) => n !== l && l.confState.voters.includes(n.id));
        if (!l || !to || to.length === 0) return;
        const target = pick(rand, to);
        this.c.trace(`nemesis: transfer leadership ${l.id} -> ${target.id}`);
        l.transferLeader(target.id);
        return;
      }
      case 'membership':
        return this.membershipStep();
    }
  }

  private partition(): void {
    if (this.partitionActive) return;
    const { rand, net } = this.c;
    const ids = shuffle(
      rand,
      this.c.members().map((n) => n.id),
    );
    const leader = this.c.leader();
    const r = rand();
    if (r < 0.3 && leader) {
      net.partition([[leader.id], ids.filter((i) => i !== leader.id)]);
    } else if (r < 0.55) {
      const cut = 1 + Math.floor(rand() * Math.floor(ids.length / 2));
      net.partition([ids.slice(0, cut), ids.slice(cut)]);
    } else if (r < 0.8) {
      // Asymmetric: one node can send but not receive, or receive but not send.
      const victim = leader && rand() < 0.5 ? leader.id : ids[0]!;
      const outbound = rand() < 0.5;
      for (const o of ids) if (o !== victim) (outbound ? net.block(victim, o) : net.block(o, victim));
    } else {
      // Bridge: two halves that only one node can talk to.
      const bridge = ids[0]!;
      const rest = ids.slice(1);
      const half = Math.ceil(rest.length / 2);
      const a = rest.slice(0, half);
      const b = rest.slice(half);
      for (const x of a) for (const y of b) (net.block(x, y), net.block(y, x));
    }
    this.partitionActive = true;
    this.c.trace(`nemesis: partition ${net.describeCuts()}`);
    this.later(100 + rand() * 1400, () => {
      net.heal();
      this.partitionActive = false;
      this.c.trace('nemesis: partition healed');
    });
  }

  /** One step of add learner → promote → remove, driven through the current leader. */
  private membershipStep(): void {
    const leader = this.c.leader();
    if (!leader || this.membershipBusy) return;
    const { voters, learners } = leader.confState;
    const { rand } = this.c;
    let cc: Parameters<SimNode['proposeConfChange']>[0] | null = null;
    let done: (n: SimNode) => boolean;
    const live = new Set(this.c.members().map((n) => n.id));
    const orphan = [...learners, ...voters].find((id) => !live.has(id));
    if (orphan !== undefined) {
      // A member whose node was decommissioned (an add that committed after we gave up on it).
      cc = { type: 'removeNode', nodeId: orphan };
      done = (l) => !l.confState.voters.includes(orphan) && !l.confState.learners.includes(orphan);
    } else if (learners.length > 0) {
      const id = learners[0]!;
      const prog = leader.raft.status().progress?.get(id);
      if (!prog || prog.match < leader.raft.status().hardState.commit - 2) return;
      cc = { type: 'addVoter', nodeId: id };
      done = (l) => l.confState.voters.includes(id);
    } else if (voters.length < this.limits.maxVoters && (voters.length <= this.limits.minVoters || rand() < 0.5)) {
      const n = this.c.addNode();
      cc = { type: 'addLearner', nodeId: n.id };
      done = (l) => l.confState.learners.includes(n.id);
    } else if (voters.length > this.limits.minVoters) {
      const id = pick(rand, voters);
      cc = { type: 'removeNode', nodeId: id };
      done = (l) => !l.confState.voters.includes(id);
    } else return;
    const added = cc.type === 'addLearner' ? this.c.members().find((n) => n.id === cc!.nodeId) : undefined;
    if (!leader.proposeConfChange(cc)) {
      if (added) this.c.decommission(added);
      return;
    }
    this.c.trace(`nemesis: propose ${cc.type} ${cc.nodeId} via ${leader.id}`);
    this.membershipBusy = true;
    const change = cc;
    const deadline = this.c.loop.now + 2000;
    const wait = () => {
      const l = this.c.leader();
      if (l && done(l)) {
        this.membershipBusy = false;
        this.c.trace(`nemesis: applied ${change.type} ${change.nodeId}`);
        if (change.type === 'removeNode') {
          const gone = this.c.members().find((n) => n.id === change.nodeId);
          if (gone) this.c.loop.after(100, () => this.c.decommission(gone));
        }
        return;
      }
      // Lost (leader change before commit): give up; a later step re-evaluates the configuration.
      if (this.c.loop.now > deadline || this.stopped) {
        this.membershipBusy = false;
        if (added) this.c.decommission(added);
      } else this.c.loop.after(50, wait);
    };
    this.c.loop.after(50, wait);
  }
}
