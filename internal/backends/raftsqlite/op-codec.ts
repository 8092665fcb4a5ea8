import { ByteReader, ByteWriter, CodecError, type CommandCodec } from '../../raftnode/index.js';
import type { Op } from '../../storage/index.js';

// One byte per op kind; the layout after it is fixed per kind. Never renumber: these bytes live in
// Raft logs and snapshots on disk.
const CREATE = 1;
const UPDATE = 2;
const DELETE = 3;
const DELETE_IF = 4;
const COMPACT = 5;
const LEASE_GRANT = 6;
const LEASE_REVOKE = 7;
/** A guard (key, modRevision) followed by the guarded create, update or delete. */
const GUARDED = 8;

/** The Op ↔ bytes codec of raftsqlite's log entries (values stay raw bytes: no base64, no JSON). */
export const opCodec: CommandCodec<Op> = {
  encode(op: Op): Uint8Array {
    const guard = 'guard' in op ? op.guard : undefined;
    const size = op.op === 'create' || op.op === 'update' ? op.value.length + op.key.length + 40 : 64;
    const w = new ByteWriter(guard ? size + guard.key.length + 16 : size);
    if (guard) w.u8(GUARDED).str(guard.key).f64(guard.modRevision);
    switch (op.op) {
      case 'create':
        w.u8(CREATE).str(op.key).bytes(op.value).f64(op.lease);
        break;
      case 'update':
        w.u8(UPDATE).str(op.key).bytes(op.value).f64(op.expectedModRevision).f64(op.lease);
        break;
      case 'delete':
        if (op.expectedModRevision === undefined) w.u8(DELETE).str(op.key);
        else w.u8(DELETE_IF).str(op.key).f64(op.expectedModRevision);
        break;
      case 'compact':
        w.u8(COMPACT).f64(op.revision);
        break;
      case 'leaseGrant':
        w.u8(LEASE_GRANT).f64(op.id).f64(op.ttlSeconds).f64(op.expiresAtMs);
        break;
      case 'leaseRevoke':
        w.u8(LEASE_REVOKE).f64(op.id);
        break;
    }
    return w.finish();
  },

  decode(b: Uint8Array): Op {
    const r = new ByteReader(b);
    let kind = r.u8();
    let guard: { key: string; modRevision: number } | undefined;
    if (kind === GUARDED) {
      guard = { key: r.str(), modRevision: r.f64() };
      kind = r.u8();
    }
    let op: Op;
    switch (kind) {
      case CREATE:
        op = { op: 'create', key: r.str(), value: r.bytes(), lease: r.f64() };
        break;
      case UPDATE:
        op = { op: 'update', key: r.str(), value: r.bytes(), expectedModRevision: r.f64(), lease: r.f64() };
        break;
      case DELETE:
        op = { op: 'delete', key: r.str() };
        break;
      case DELETE_IF:
        op = { op: 'delete', key: r.str(), expectedModRevision: r.f64() };
        break;
      case COMPACT:
        op = { op: 'compact', revision: r.f64() };
        break;
      case LEASE_GRANT:
        op = { op: 'leaseGrant', id: r.f64(), ttlSeconds: r.f64(), expiresAtMs: r.f64() };
        break;
      case LEASE_REVOKE:
        op = { op: 'leaseRevoke', id: r.f64() };
        break;
      default:
        throw new CodecError(`unknown op kind ${kind}`);
    }
    if (!r.done) throw new CodecError(`trailing bytes after op kind ${kind}`);
    if (guard) {
      if (op.op !== 'create' && op.op !== 'update' && op.op !== 'delete') throw new CodecError(`a guard on op kind ${kind}`);
      op.guard = guard;
    }
    return op;
  },
};
