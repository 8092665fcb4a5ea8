// Messages between RaftNode's thread and the engine worker (structured clone: plain data only).
// Each side posts arrays of them: everything one turn of its event loop produced (batchedPoster).
import type { ConfChange, ConfState, Entry, NodeId, Role } from '../raft/index.js';
import type { EngineOptions, EngineStats, EngineStatus } from './engine.js';
import type { WorkerEngineOptions } from './worker-engine.js';

export interface WorkerInit {
  engine: Omit<EngineOptions, 'transport' | 'clock' | 'rand' | 'logger' | 'bootstrap' | 'peers'> & { bootstrap?: [NodeId, string][]; peers?: [NodeId, string][] };
  worker: WorkerEngineOptions;
  /** The state machine's applied index when the worker starts. */
  appliedIndex: number;
  /**
   * 8 bytes shared with the parent: its applied index (BigInt64, written with Atomics after every
   * apply), so the worker learns it without a message back per commit.
   */
  applied: SharedArrayBuffer;
}

/**
 * post(m) queues m; the queue goes out as one array at flush(), or when the current task ends (a
 * microtask) if nobody flushed: a Ready's worth of callbacks costs one structured clone and one
 * wake-up of the other thread instead of one per callback. Order is kept.
 */
export function batchedPoster<T>(send: (batch: T[]) => void): { post: (m: T) => void; flush: () => void } {
  let queue: T[] | undefined;
  const flush = () => {
    if (!queue) return;
    const q = queue;
    queue = undefined;
    send(q);
  };
  const post = (m: T) => {
    if (queue) {
      queue.push(m);
      return;
    }
    queue = [m];
    queueMicrotask(flush);
  };
  return { post, flush };
}

export type ToWorker =
  | { t: 'start' }
  | { t: 'propose'; batch: number; data: Uint8Array }
  | { t: 'readIndex'; ctx: Uint8Array }
  | { t: 'conf'; cc: ConfChange }
  | { t: 'transfer'; to: NodeId }
  | { t: 'imageSaved'; id: number; index: number; term: number }
  | { t: 'imageFailed'; id: number; message: string }
  | { t: 'snapshot'; id: number }
  | { t: 'stop'; id: number; transfer: boolean };

export type FromWorker =
  | { t: 'committed'; entries: Entry[] }
  | { t: 'install'; path: string | undefined; index: number; term: number }
  | { t: 'seen'; batch: number; index: number; term: number }
  | { t: 'readState'; ctx: Uint8Array; index: number }
  | { t: 'soft'; leader: NodeId; role: Role }
  | { t: 'conf'; cc: ConfChange; conf: ConfState }
  | { t: 'saveImage'; id: number; path: string }
  | { t: 'proposeFailed'; batch: number; code: string; message: string }
  | { t: 'status'; status: EngineStatus; stats: EngineStats }
  | { t: 'done'; id: number; value: number; error?: string }
  | { t: 'log'; level: 'info' | 'warn'; msg: string; fields?: Record<string, unknown> }
  | { t: 'failed'; message: string };
