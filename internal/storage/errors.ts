export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'Unavailable'
  | 'Timeout'
  | 'Corrupt'
  | 'TooLarge'
  /** A malformed request argument, such as an undecodable continue token or resourceVersion (400). */
  | 'InvalidArgument'
  /** A fenced write's guard key was not at the expected modRevision: nothing was written. */
  | 'GuardFailed';

/**
 * The one error type that crosses the storage boundary. Backends translate their native errors
 * (SQLite, etcd gRPC, Raft) into it; the registry translates it into an ApiError.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly details: {
      key?: string;
      revision?: number;
      compactRevision?: number;
      currentRevision?: number;
      /** On Compacted from a paged list: a fresh token that continues the list at the latest revision
       *  (inconsistently), for the 410 Expired Status's metadata.continue. */
      continue?: string;
      /** On GuardFailed: the guard key and the modRevision it has now (0 = missing). */
      guardKey?: string;
      guardModRevision?: number;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
