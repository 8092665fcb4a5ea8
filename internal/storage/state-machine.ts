import type { KeyValue, WriteResult } from './backend.js';

/**
 * The write side of the embedded store as a deterministic state machine: it applies ordered batches
 * of operations. Revisions are assigned in apply (one per successful write), and the position of the
 * batch in an external log (applied index) is stored in the same transaction, so a replicated log
 * (Raft) can sit in front of it and replay after a crash exactly once.
 *
 * Every replica that applies the same batches in the same order reaches the same state.
 */
export type Op =
  | { op: 'create'; key: string; value: Uint8Array; lease: number }
  | { op: 'update'; key: string; value: Uint8Array; expectedModRevision: number; lease: number }
  | { op: 'delete'; key: string; expectedModRevision?: number }
  | { op: 'compact'; revision: number }
  | { op: 'leaseGrant'; id: number; ttlSeconds: number; expiresAtMs: number }
  | { op: 'leaseRevoke'; id: number };

/** The outcome of one op, in batch order. A failed CAS is a result, not an error. */
export type OpResult =
  | { op: 'create' | 'update' | 'delete'; result: WriteResult; error?: 'KeyExists' }
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
