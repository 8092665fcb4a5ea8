import { isStorageError } from '../../storage/index.js';
import type { PbKeyValue, PbTxnResponse } from './proto.js';

/**
 * Every kplane write is a compare-and-swap on one key (plus, for fenced writes, a guard key):
 * create if absent, update on mod_revision, delete on mod_revision or existence. When etcd takes a
 * write but its answer is lost (the member or the leader died, the attempt's deadline passed), the
 * outcome is unknown. It is resolved here instead of failing: a linearizable read of the key tells
 * whether the write took effect (the key holds exactly our bytes; a delete's key is gone) or whether
 * its compare still holds, in which case it is sent again: the compare lets at most one attempt
 * apply, and an earlier attempt applied late makes the resend's compare fail, after which the key
 * holds our bytes. Only when the call's deadline passes unresolved is the outcome reported unknown.
 */
export interface CasWrite {
  op: 'create' | 'update' | 'delete';
  /** The bytes a create or update stores. */
  value?: Uint8Array;
  /** The mod_revision an update (always) or a delete (when set) compares with. */
  expectedModRevision?: number;
}

export interface CasPort {
  /**
   * Sends the Txn once (failing over only where etcd certainly did not take it). Fails with a
   * StorageError: Unavailable when it was certainly not applied, Timeout when the outcome is unknown.
   */
  send(deadline: number): Promise<PbTxnResponse>;
  /** The key now (linearizable), or at an older revision, and the revision the answer was read at. */
  read(deadline: number, revision?: number): Promise<{ revision: number; kv: PbKeyValue | undefined }>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface CasBounds {
  /** Absolute deadline of the whole write. */
  deadline: number;
  /** How long a write etcd certainly did not take (no leader) is tried again. */
  unavailableWaitMs: number;
  /** Pause between tries while etcd has no leader. */
  retryDelayMs: number;
}

export type CasOutcome =
  /** etcd answered an attempt; its compare decided (the failure branch holds the current key first). */
  | { kind: 'txn'; r: PbTxnResponse }
  /** An attempt whose answer was lost took effect; kv is the key as read back (undefined: deleted). */
  | { kind: 'applied'; revision: number; kv: PbKeyValue | undefined }
  /** A create whose key another writer created: it did not and will not apply. */
  | { kind: 'exists'; revision: number; kv: PbKeyValue };

/** The current key as a Txn's failure branch returns it (its first response). */
export function currentOf(r: PbTxnResponse): PbKeyValue | undefined {
  return r.responses[0]?.responseRange?.kvs[0];
}

export async function runCasWrite(w: CasWrite, port: CasPort, b: CasBounds): Promise<CasOutcome> {
  const start = port.now();
  let uncertain: unknown;
  for (;;) {
    try {
      const r = await port.send(b.deadline);
      if (r.succeeded || uncertain === undefined) return { kind: 'txn', r };
      // A resend's compare failed: maybe because an earlier attempt was applied meanwhile.
      const kv = currentOf(r);
      const d = await decide(w, port, b.deadline, r.header.revision, kv);
      if (d === 'resend') return { kind: 'txn', r }; // the key's compare held: the guard failed
      if (d !== 'unknown') return d;
      throw uncertain;
    } catch (err) {
      if (uncertain !== undefined && err === uncertain) throw err;
      if (isStorageError(err, 'Timeout')) uncertain = err;
      else if (!isStorageError(err, 'Unavailable')) throw err;
      else if (uncertain === undefined) {
        // Certainly not applied (no leader, no connection): wait for an election, then give up.
        if (port.now() + b.retryDelayMs >= Math.min(b.deadline, start + b.unavailableWaitMs)) throw err;
        await port.sleep(b.retryDelayMs);
        continue;
      } else await port.sleep(b.retryDelayMs);
    }
    const found = await readUntil(port, b, uncertain);
    const d = await decide(w, port, b.deadline, found.revision, found.kv);
    if (d === 'unknown') throw uncertain;
    if (d !== 'resend') return d;
  }
}

/** A linearizable read of the key, tried again while etcd is unavailable, until the deadline. */
async function readUntil(port: CasPort, b: CasBounds, uncertain: unknown): Promise<{ revision: number; kv: PbKeyValue | undefined }> {
  for (;;) {
    if (port.now() >= b.deadline) throw uncertain;
    try {
      return await port.read(b.deadline);
    } catch (err) {
      if (!isStorageError(err, 'Unavailable') && !isStorageError(err, 'Timeout')) throw err;
      await port.sleep(b.retryDelayMs);
    }
  }
}

/** What the key's state says about a write whose outcome was unknown. */
async function decide(w: CasWrite, port: CasPort, deadline: number, revision: number, kv: PbKeyValue | undefined): Promise<CasOutcome | 'resend' | 'unknown'> {
  if (compareHolds(w, kv)) return 'resend';
  if (w.op === 'delete') return kv ? 'unknown' : { kind: 'applied', revision, kv: undefined };
  if (kv && sameBytes(kv.value, w.value!)) return { kind: 'applied', revision: w.op === 'create' ? kv.createRevision : kv.modRevision, kv };
  if (w.op === 'create' && kv) {
    // The key was created and has changed since: by us, if it held our bytes when it was created.
    const then = await port.read(deadline, kv.createRevision).catch(() => undefined);
    if (!then) return 'unknown';
    if (then.kv && then.kv.createRevision === kv.createRevision && sameBytes(then.kv.value, w.value!)) return { kind: 'applied', revision: kv.createRevision, kv };
    return { kind: 'exists', revision, kv };
  }
  // An update whose key moved on to other bytes: ours may have been applied and overwritten since.
  return 'unknown';
}

function compareHolds(w: CasWrite, kv: PbKeyValue | undefined): boolean {
  if (w.op === 'create') return kv === undefined;
  if (!kv) return false;
  return w.expectedModRevision === undefined || kv.modRevision === w.expectedModRevision;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
