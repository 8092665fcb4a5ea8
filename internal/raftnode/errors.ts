/**
 * Why the driver could not complete a proposal or a read barrier. The backend translates these
 * once into StorageError (Unavailable / Timeout).
 * - NoLeader: no leader is known (election in progress, or this node is cut off).
 * - Dropped: the core refused the proposal (leader transfer, size limit) or the entry was replaced.
 * - LeaderChanged: the leader changed before the entry reached this node's log; the write may or
 *   may not commit (indeterminate, as etcd's "leader changed").
 * - Timeout: no result within the deadline (indeterminate for writes).
 * - Stopped: the node is shutting down.
 */
export type RaftNodeErrorCode = 'NoLeader' | 'Dropped' | 'LeaderChanged' | 'Timeout' | 'Stopped';

export class RaftNodeError extends Error {
  override readonly name = 'RaftNodeError';
  constructor(
    readonly code: RaftNodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isRaftNodeError(err: unknown, code?: RaftNodeErrorCode): err is RaftNodeError {
  return err instanceof RaftNodeError && (code === undefined || err.code === code);
}
