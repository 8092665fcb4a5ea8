import { isRaftNodeError } from '../../raftnode/index.js';
import { StorageError } from '../../storage/index.js';

/**
 * The driver's errors, translated once into StorageError at the storage boundary, by what the
 * client may do next:
 * - Unavailable (the API answers 503 with Retry-After: 1, which client-go and kubectl retry on their
 *   own): the write was certainly not applied (no leader within the wait, proposal refused or its
 *   entry replaced, node stopping before it was sent), or it was a read, which changes nothing.
 * - Timeout (504, no retry): the outcome of the write is unknown (the leader changed after it was
 *   sent or forwarded, or no result within the deadline); blindly repeating it could apply it twice.
 * `what` is the operation ("create", "update", ..., or "read").
 */
export function translateRaftError(err: unknown, what: string): unknown {
  if (!isRaftNodeError(err)) return err;
  if (what === 'read' || !err.indeterminate) return new StorageError('Unavailable', `${what}: ${err.message}`, {}, { cause: err });
  const message = /may or may not have been applied/.test(err.message) ? err.message : `${err.message}; the write may or may not have been applied`;
  return new StorageError('Timeout', `${what}: ${message}`, {}, { cause: err });
}
