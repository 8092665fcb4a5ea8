import { Code, type GrpcError } from './grpc-channel.js';
import { StorageError } from '../../storage/index.js';

export function isGrpcError(err: unknown): err is GrpcError {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number';
}

// etcd's error texts (api/v3rpc/rpctypes) are its stable wire contract; codes alone are ambiguous
// (OutOfRange is both "compacted" and "future revision").
const COMPACTED = /required revision has been compacted/;
const FUTURE = /required revision is a future revision/;
const TOO_LARGE = /request is too large|message larger than max|exceeds maximum/;
/** The request certainly did not reach etcd's log: safe to send again, to any member. */
const NOT_SENT = /no leader|stream refused before processing|No connection established|ECONNREFUSED|connect ECONN|failed to connect|Name resolution failed|ENOTFOUND|Waiting for LB pick|Waiting for name resolution|no member was tried/i;

function notSent(err: GrpcError): boolean {
  return (err.code === Code.UNAVAILABLE || err.code === Code.DEADLINE_EXCEEDED) && NOT_SENT.test(err.message);
}

/** Failures of the member or the connection, not of the request. */
const TRANSIENT = new Set<number>([Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED, Code.RESOURCE_EXHAUSTED, Code.CANCELLED, Code.UNKNOWN, Code.INTERNAL]);

/** Whether a failed call may be sent to another member without risking a second application. */
export function isRetryable(err: unknown, idempotent: boolean): boolean {
  if (!isGrpcError(err)) return false;
  if (COMPACTED.test(err.message) || FUTURE.test(err.message) || TOO_LARGE.test(err.message)) return false;
  if (!TRANSIENT.has(err.code)) return false;
  return idempotent || notSent(err);
}

/**
 * Translates an etcd call's failure into a StorageError, once, at the storage boundary:
 * Unavailable (503, clients retry) when nothing was changed (a read, or a write etcd never took);
 * Timeout (504) when a write's outcome is unknown (sent, then the connection, leader or deadline
 * failed); Compacted / FutureRevision / TooLarge as their etcd counterparts.
 */
export function translateEtcdError(err: unknown, what: string, idempotent: boolean): unknown {
  if (!isGrpcError(err)) return err;
  const detail = err.details || err.message;
  if (COMPACTED.test(err.message)) return new StorageError('Compacted', `etcd: ${what}: ${detail}`, {}, { cause: err });
  if (FUTURE.test(err.message)) return new StorageError('FutureRevision', `etcd: ${what}: ${detail}`, {}, { cause: err });
  if (TOO_LARGE.test(err.message)) return new StorageError('TooLarge', `etcd: ${what}: ${detail}`, {}, { cause: err });
  if (!TRANSIENT.has(err.code)) return new Error(`etcd: ${what}: ${detail}`, { cause: err });
  if (idempotent || notSent(err)) {
    return new StorageError('Unavailable', `etcd unavailable: ${what}: ${detail}`, {}, { cause: err });
  }
  return new StorageError('Timeout', `etcd: ${what}: ${detail}; the write may or may not have been applied`, {}, { cause: err });
}
