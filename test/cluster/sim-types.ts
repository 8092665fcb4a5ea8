// Shapes shared by the simulator's parts: client requests and replies, node parameters, canary bugs.

import type { Entry, Ready } from '../../internal/raft/index.js';
import type { WatchBatch } from '../../internal/storage/index.js';
import type { KvInput, KvOutput } from './history.js';

/**
 * Deliberately broken node behaviours ("brown M&Ms"): the checkers must catch every one.
 * - ackBeforeFsync: send messages and advance before the fsync completes (etcd #14370/#14143).
 * - staleRead: serve reads from local state without ReadIndex (dqlite's documented model).
 * - watchSkipAfterSnapshot: after installing a snapshot, jump watch streams to the snapshot revision.
 * - duplicateProposals: the transport may deliver a forwarded proposal twice (at-least-once delivery).
 */
export type Bug = 'ackBeforeFsync' | 'staleRead' | 'watchSkipAfterSnapshot' | 'duplicateProposals';

export interface ClientRequest {
  reqId: string;
  client: number;
  input: KvInput;
}

/** `unavailable`: the node knows the request was not executed (proposal or read refused locally). */
export type ClientReply = { reqId: string; output: KvOutput } | { reqId: string; unavailable: true };

export interface NodeParams {
  electionTick: number;
  heartbeatTick: number;
  /** Simulated ms between ticks on this node's clock (tick-rate differences / clock skew). */
  tickMs: number;
  fsyncMinMs: number;
  fsyncMaxMs: number;
  /** Take a state-machine snapshot and compact the log every this many applied entries (0 = never). */
  snapshotEvery: number;
  /** Entries kept below the snapshot point for slow followers. */
  snapshotKeep: number;
  /** Max client writes group-committed into one entry. */
  maxBatch: number;
}

/** What a node reports to the invariant checkers and to the client-facing side of the simulation. */
export interface NodeEnvHooks {
  reply(node: number, client: number, reply: ClientReply): void;
  watchBatch(node: number, stream: number, batch: WatchBatch): void;
  watchClosed(node: number, stream: number): void;
  /** Called after the node wrote a Ready's entries to its (unsynced) log, before anything is sent. */
  onReady(node: number, rd: Ready): void;
  onApply(node: number, entry: Entry): void;
}
