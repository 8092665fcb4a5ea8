// The wire protocol between a spare's remote backend and the member that serves it: JSON text
// messages, one per websocket message, values in base64. Requests carry an id; unary calls get one
// reply, a watch gets `started` (from an explicit revision), then `batch` messages until `err` or
// `end` (or the client's cancel).
import { StorageError, isStorageError, type KeyValue, type ListOptions, type ReadOptions, type StorageErrorCode, type WatchBatch, type WriteGuard } from '../../storage/index.js';

export type Request =
  | { id: number; m: 'get'; key: string; opts?: ReadOptions }
  | { id: number; m: 'list'; prefix: string; opts?: ListOptions }
  | { id: number; m: 'create'; key: string; value: string; lease?: number; guard?: WriteGuard }
  | { id: number; m: 'update'; key: string; value: string; expected: number; lease?: number; guard?: WriteGuard }
  | { id: number; m: 'delete'; key: string; expected?: number; guard?: WriteGuard }
  | { id: number; m: 'grantLease'; ttl: number }
  | { id: number; m: 'currentRevision' }
  | { id: number; m: 'compact'; revision: number }
  | { id: number; m: 'watch'; prefix: string; after: number; progressMs?: number }
  /** Not a Backend call: the member's committed membership (serveBackend's describe), for a spare. */
  | { id: number; m: 'cluster' }
  /** Not a Backend call: remove the calling spare from the membership (`kplane leave` on a spare). */
  | { id: number; m: 'leave' }
  /** Not a Backend call: record a NEW node (a join signed by the calling spare, which holds the CA key). */
  | ({ id: number; m: 'admit' } & AdmitRequest)
  | { id: number; m: 'cancel' };

/** A joining node for the membership: a standby (a learner with a replica) or a spare (recorded, no replica). */
export interface AdmitRequest {
  nodeId: number;
  role: 'standby' | 'spare';
  /** https://HOST:PORT of its Raft peer listener. */
  address: string;
  domain?: string;
}

export type WireKv = Omit<KeyValue, 'value'> & { value: string };
export interface WireError {
  code: StorageErrorCode | 'Internal';
  message: string;
  details?: StorageError['details'];
}
export interface WireBatch {
  revision: number;
  events: { type: 'put' | 'delete'; kv: WireKv; prevKv?: WireKv }[];
}

export type Reply =
  | { id: number; ok: unknown }
  | { id: number; err: WireError }
  | { id: number; started: number }
  | { id: number; batch: WireBatch }
  | { id: number; end: true };

export const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

export const kvOut = (kv: KeyValue): WireKv => ({ ...kv, value: b64(kv.value) });
export const kvIn = (kv: WireKv): KeyValue => ({ ...kv, value: unb64(kv.value) });
export const kvOutOpt = (kv: KeyValue | undefined): WireKv | undefined => (kv ? kvOut(kv) : undefined);
export const kvInOpt = (kv: WireKv | undefined): KeyValue | undefined => (kv ? kvIn(kv) : undefined);

export function batchOut(b: WatchBatch): WireBatch {
  return { revision: b.revision, events: b.events.map((e) => ({ type: e.type, kv: kvOut(e.kv), ...(e.prevKv ? { prevKv: kvOut(e.prevKv) } : {}) })) };
}

export function batchIn(b: WireBatch): WatchBatch {
  return { revision: b.revision, events: b.events.map((e) => ({ type: e.type, kv: kvIn(e.kv), ...(e.prevKv ? { prevKv: kvIn(e.prevKv) } : {}) })) };
}

/** A StorageError keeps its code and details across the wire; anything else becomes Internal. */
export function errorOut(err: unknown): WireError {
  if (isStorageError(err)) return { code: err.code, message: err.message, details: err.details };
  return { code: 'Internal', message: err instanceof Error ? err.message : String(err) };
}

export function errorIn(e: WireError, where: string): Error {
  if (e.code === 'Internal') return new Error(`${where}: ${e.message}`);
  return new StorageError(e.code, e.message, e.details ?? {});
}
