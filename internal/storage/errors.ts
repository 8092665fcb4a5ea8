export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'Unavailable'
  | 'Timeout'
  | 'Corrupt'
  | 'TooLarge';

/**
 * The one error type that crosses the storage boundary. Backends translate their native errors
 * (SQLite, etcd gRPC, Raft) into it; the registry translates it into an ApiError.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly details: { key?: string; revision?: number; compactRevision?: number; currentRevision?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
