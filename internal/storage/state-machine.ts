import { StorageError } from './errors.js';
import type { KeyValue, WriteGuard, WriteResult } from './backend.js';

/**
 * The write side of the embedded store as a deterministic state machine: it applies ordered batches
 * of operations. Revisions are assigned in apply (one per successful write), and the position of the
 * batch in an external log (applied index) is stored in the same transaction, so a replicated log
 * (Raft) can sit in front of it and replay after a crash exactly once.
 *
 * Every replica that applies the same batches in the same order reaches the same state.
 */
export type Op =
  | { op: 'create'; key: string; value: Uint8Array; lease: number; guard?: WriteGuard }
  | { op: 'update'; key: string; value: Uint8Array; expectedModRevision: number; lease: number; guard?: WriteGuard }
  | { op: 'delete'; key: string; expectedModRevision?: number; guard?: WriteGuard }
  | { op: 'compact'; revision: number }
  | { op: 'leaseGrant'; id: number; ttlSeconds: number; expiresAtMs: number }
  | { op: 'leaseRevoke'; id: number };

/**
 * The outcome of one op, in batch order. A failed CAS is a result, not an error. GuardFailed: the
 * op's guard key was at `guardModRevision` (0 = missing), so nothing was written.
 */
export type OpResult =
  | { op: 'create' | 'update' | 'delete'; result: WriteResult; error?: 'KeyExists' | 'GuardFailed'; guardModRevision?: number }
  | { op: 'compact' | 'leaseGrant' | 'leaseRevoke'; revision: number };

export interface AppliedEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
  prevKv?: KeyValue;
}

export interface ApplyOutput {
  results: OpResult[];
  /** Events produced by this batch, in revision order; fed to the watch hub. */
  events: AppliedEvent[];
  /** Current revision after the batch. */
  revision: number;
}

export interface StateMachine {
  /**
   * Applies the batch atomically (one transaction) and records `index` as the applied position.
   * Batches with index <= appliedIndex() are ignored (returns null): exactly-once after a replay.
   */
  apply(index: number, ops: Op[]): ApplyOutput | null;
  appliedIndex(): number;
}

/** The error a write whose guard did not hold throws (every backend uses this one message). */
export function guardFailed(guard: WriteGuard, actual: number): StorageError {
  return new StorageError('GuardFailed', `guard ${guard.key} is at modRevision ${actual}, not ${guard.modRevision}: nothing written`, {
    key: guard.key,
    guardKey: guard.key,
    guardModRevision: actual,
  });
}
