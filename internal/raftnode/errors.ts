/**
 * Why the driver could not complete a proposal or a read barrier. The backend translates these
 * once into StorageError: Unavailable when the write was certainly not applied (safe to retry),
 * Timeout when its outcome is unknown (RaftNodeError.indeterminate).
 * - NoLeader: no leader took the proposal within its wait (election in progress, or this node is
 *   cut off); nothing was sent.
 * - Dropped: the core refused the proposal (leader transfer, size limit) or the entry was replaced.
 * - LeaderChanged: the leader changed before the entry reached this node's log; the write may or
 *   may not commit (indeterminate, as etcd's "leader changed").
 * - Timeout: no result within the deadline (indeterminate for writes).
 * - Stopped: the node is shutting down (indeterminate for a proposal already sent).
 */
export type RaftNodeErrorCode = 'NoLeader' | 'Dropped' | 'LeaderChanged' | 'Timeout' | 'Stopped';

export class RaftNodeError extends Error {
  override readonly name = 'RaftNodeError';
  /** Whether the command may still have been (or be) applied: true for LeaderChanged and Timeout unless told otherwise. */
  readonly indeterminate: boolean;
  constructor(
    readonly code: RaftNodeErrorCode,
    message: string,
    opts: { indeterminate?: boolean } = {},
  ) {
    super(message);
    this.indeterminate = opts.indeterminate ?? (code === 'LeaderChanged' || code === 'Timeout');
  }
}

export function isRaftNodeError(err: unknown, code?: RaftNodeErrorCode): err is RaftNodeError {
  return err instanceof RaftNodeError && (code === undefined || err.code === code);
}
