import { StorageError } from './errors.js';

/**
 * Resolves the revision a read is served at and enforces the history window shared by every
 * backend: 0/unset = current; below the compaction point = Compacted; above current = FutureRevision.
 * Reading exactly at the compaction point is allowed (the newest version <= it of each key is kept).
 */
export function resolveReadRevision(requested: number | undefined, current: number, compact: number): number {
  if (!requested) return current;
  if (requested < compact) {
    throw new StorageError('Compacted', `required revision ${requested} has been compacted (compacted to ${compact})`, {
      revision: requested,
      compactRevision: compact,
      currentRevision: current,
    });
  }
  if (requested > current) {
    throw new StorageError('FutureRevision', `required revision ${requested} is a future revision (current ${current})`, {
      revision: requested,
      currentRevision: current,
    });
  }
  return requested;
}

export function compactedError(revision: number, compact: number, what = 'watch'): StorageError {
  return new StorageError('Compacted', `${what} from revision ${revision}: history compacted to ${compact}`, {
    revision,
    compactRevision: compact,
  });
}
