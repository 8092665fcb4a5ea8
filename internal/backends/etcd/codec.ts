import { PbReader, PbWriter } from './pb-wire.js';
import type { PbEvent, PbHeader, PbKeyValue, PbRangeResponse, PbResponseOp, PbStatusResponse, PbTxnResponse, PbWatchResponse } from './proto.js';

/**
 * etcd's v3 messages that kplane sends and reads, encoded and decoded by hand (field numbers from
 * third_party/etcd/api, rpc.proto and kv.proto of the pinned release). Requests are the plain
 * objects the rest of the backend builds (camelCase fields, enums by name, as @grpc/proto-loader
 * spells them); answers have every field the Pb* types name, defaults filled in.
 */

type Obj = Record<string, unknown>;
type Bytes = Uint8Array | string | undefined;

const COMPARE_RESULT: Record<string, number> = { EQUAL: 0, GREATER: 1, LESS: 2, NOT_EQUAL: 3 };
const COMPARE_TARGET: Record<string, number> = { VERSION: 0, CREATE: 1, MOD: 2, VALUE: 3, LEASE: 4 };

function enumValue(table: Record<string, number>, v: unknown): number {
  if (typeof v === 'number') return v;
  const n = table[String(v ?? Object.keys(table)[0])];
  if (n === undefined) throw new Error(`etcd codec: unknown enum value ${String(v)}`);
  return n;
}

function writeRange(w: PbWriter, r: Obj): void {
  w.bytes(1, r.key as Bytes);
  w.bytes(2, r.rangeEnd as Bytes);
  w.int(3, r.limit as number);
  w.int(4, r.revision as number);
  w.bool(7, r.serializable as boolean);
  w.bool(8, r.keysOnly as boolean);
  w.bool(9, r.countOnly as boolean);
}

function writeCompare(w: PbWriter, c: Obj): void {
  w.int(1, enumValue(COMPARE_RESULT, c.result));
  w.int(2, enumValue(COMPARE_TARGET, c.target));
  w.bytes(3, c.key as Bytes);
  // The target's value is a oneof member: sent even when zero ("mod_revision == 0": absent).
  if (c.version !== undefined) w.int(4, c.version as number, true);
  else if (c.createRevision !== undefined) w.int(5, c.createRevision as number, true);
  else if (c.modRevision !== undefined) w.int(6, c.modRevision as number, true);
  else if (c.value !== undefined) w.bytes(7, c.value as Bytes, true);
  else if (c.lease !== undefined) w.int(8, c.lease as number, true);
  w.bytes(64, c.rangeEnd as Bytes);
}

function writeOp(w: PbWriter, op: Obj): void {
  if (op.requestRange) w.message(1, () => writeRange(w, op.requestRange as Obj));
  else if (op.requestPut) {
    const p = op.requestPut as Obj;
    w.message(2, () => {
      w.bytes(1, p.key as Bytes);
      w.bytes(2, p.value as Bytes);
      w.int(3, p.lease as number);
      w.bool(4, p.prevKv as boolean);
    });
  } else if (op.requestDeleteRange) {
    const d = op.requestDeleteRange as Obj;
    w.message(3, () => {
      w.bytes(1, d.key as Bytes);
      w.bytes(2, d.rangeEnd as Bytes);
      w.bool(3, d.prevKv as boolean);
    });
  } else if (op.requestTxn) w.message(4, () => writeTxn(w, op.requestTxn as Obj));
  else throw new Error('etcd codec: empty RequestOp');
}

function writeTxn(w: PbWriter, t: Obj): void {
  for (const c of (t.compare as Obj[] | undefined) ?? []) w.message(1, () => writeCompare(w, c));
  for (const op of (t.success as Obj[] | undefined) ?? []) w.message(2, () => writeOp(w, op));
  for (const op of (t.failure as Obj[] | undefined) ?? []) w.message(3, () => writeOp(w, op));
}

function writeWatch(w: PbWriter, r: Obj): void {
  if (r.createRequest) {
    const c = r.createRequest as Obj;
    w.message(1, () => {
      w.bytes(1, c.key as Bytes);
      w.bytes(2, c.rangeEnd as Bytes);
      w.int(3, c.startRevision as number);
      w.bool(4, c.progressNotify as boolean);
      w.bool(6, c.prevKv as boolean);
      w.int(7, c.watchId as number);
      w.bool(8, c.fragment as boolean);
    });
  } else if (r.cancelRequest) w.message(2, () => w.int(1, (r.cancelRequest as Obj).watchId as number));
  else if (r.progressRequest) w.message(3, () => {});
  else throw new Error('etcd codec: empty WatchRequest');
}

// ---- decoding ----

function header(buf: Buffer, start: number, end: number): PbHeader {
  const h: PbHeader = { clusterId: 0, memberId: 0, revision: 0, raftTerm: 0 };
  const sub = new PbReader(buf, start, end);
  while (sub.more()) {
    const t = sub.varint();
    if (t === 0x08) h.clusterId = sub.varint();
    else if (t === 0x10) h.memberId = sub.varint();
    else if (t === 0x18) h.revision = sub.varint();
    else if (t === 0x20) h.raftTerm = sub.varint();
    else sub.skip(t & 7);
  }
  return h;
}

const EMPTY = Buffer.alloc(0);

/** mvccpb.KeyValue; key and value are views on the answer's buffer. */
export function readKeyValue(buf: Buffer, start: number, end: number): PbKeyValue {
  const kv: PbKeyValue = { key: EMPTY, createRevision: 0, modRevision: 0, version: 0, value: EMPTY, lease: 0 };
  const r = new PbReader(buf, start, end);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) kv.key = r.bytes();
    else if (t === 0x10) kv.createRevision = r.varint();
    else if (t === 0x18) kv.modRevision = r.varint();
    else if (t === 0x20) kv.version = r.varint();
    else if (t === 0x2a) kv.value = r.bytes();
    else if (t === 0x30) kv.lease = r.varint();
    else r.skip(t & 7);
  }
  return kv;
}

/** A nested message field: the reader moves past it, `f` gets its bounds. */
function nested<T>(r: PbReader, f: (start: number, end: number) => T): T {
  const [s, e] = r.span();
  return f(s, e);
}

function emptyHeader(): PbHeader {
  return { clusterId: 0, memberId: 0, revision: 0, raftTerm: 0 };
}

export function readRangeResponse(buf: Buffer, start = 0, end = buf.length): PbRangeResponse {
  const out: PbRangeResponse = { header: emptyHeader(), kvs: [], more: false, count: 0 };
  const r = new PbReader(buf, start, end);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) out.header = nested(r, (s, e) => header(buf, s, e));
    else if (t === 0x12) out.kvs.push(nested(r, (s, e) => readKeyValue(buf, s, e)));
    else if (t === 0x18) out.more = r.varint() !== 0;
    else if (t === 0x20) out.count = r.varint();
    else r.skip(t & 7);
  }
  return out;
}

function readPutResponse(buf: Buffer, start: number, end: number): { header: PbHeader; prevKv: PbKeyValue | null } {
  const out = { header: emptyHeader(), prevKv: null as PbKeyValue | null };
  const r = new PbReader(buf, start, end);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) out.header = nested(r, (s, e) => header(buf, s, e));
    else if (t === 0x12) out.prevKv = nested(r, (s, e) => readKeyValue(buf, s, e));
    else r.skip(t & 7);
  }
  return out;
}

function readDeleteResponse(buf: Buffer, start: number, end: number): NonNullable<PbResponseOp['responseDeleteRange']> {
  const out = { header: emptyHeader(), deleted: 0, prevKvs: [] as PbKeyValue[] };
  const r = new PbReader(buf, start, end);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) out.header = nested(r, (s, e) => header(buf, s, e));
    else if (t === 0x10) out.deleted = r.varint();
    else if (t === 0x1a) out.prevKvs.push(nested(r, (s, e) => readKeyValue(buf, s, e)));
    else r.skip(t & 7);
  }
  return out;
}

function readResponseOp(buf: Buffer, start: number, end: number): PbResponseOp {
  const r = new PbReader(buf, start, end);
  let op: PbResponseOp = { response: 'responseRange', responseRange: { header: emptyHeader(), kvs: [], more: false, count: 0 } };
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) op = { response: 'responseRange', responseRange: nested(r, (s, e) => readRangeResponse(buf, s, e)) };
    else if (t === 0x12) op = { response: 'responsePut', responsePut: nested(r, (s, e) => readPutResponse(buf, s, e)) } as PbResponseOp;
    else if (t === 0x1a) op = { response: 'responseDeleteRange', responseDeleteRange: nested(r, (s, e) => readDeleteResponse(buf, s, e)) };
    else if (t === 0x22) op = { response: 'responseTxn', responseTxn: nested(r, (s, e) => readTxnResponse(buf, s, e)) } as PbResponseOp;
    else r.skip(t & 7);
  }
  return op;
}

export function readTxnResponse(buf: Buffer, start = 0, end = buf.length): PbTxnResponse {
  const out: PbTxnResponse = { header: emptyHeader(), succeeded: false, responses: [] };
  const r = new PbReader(buf, start, end);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) out.header = nested(r, (s, e) => header(buf, s, e));
    else if (t === 0x10) out.succeeded = r.varint() !== 0;
    else if (t === 0x1a) out.responses.push(nested(r, (s, e) => readResponseOp(buf, s, e)));
    else r.skip(t & 7);
  }
  return out;
}

function readEvent(buf: Buffer, start: number, end: number): PbEvent {
  const ev: PbEvent = { type: 'PUT', kv: readKeyValue(EMPTY, 0, 0), prevKv: null };
  const r = new PbReader(buf, start, end);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x08) ev.type = r.varint() === 1 ? 'DELETE' : 'PUT';
    else if (t === 0x12) ev.kv = nested(r, (s, e) => readKeyValue(buf, s, e));
    else if (t === 0x1a) ev.prevKv = nested(r, (s, e) => readKeyValue(buf, s, e));
    else r.skip(t & 7);
  }
  return ev;
}

export function readWatchResponse(buf: Buffer): PbWatchResponse {
  const out: PbWatchResponse = { header: emptyHeader(), watchId: 0, created: false, canceled: false, compactRevision: 0, cancelReason: '', fragment: false, events: [] };
  const r = new PbReader(buf);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) out.header = nested(r, (s, e) => header(buf, s, e));
    else if (t === 0x10) out.watchId = r.varint();
    else if (t === 0x18) out.created = r.varint() !== 0;
    else if (t === 0x20) out.canceled = r.varint() !== 0;
    else if (t === 0x28) out.compactRevision = r.varint();
    else if (t === 0x32) out.cancelReason = r.string();
    else if (t === 0x38) out.fragment = r.varint() !== 0;
    else if (t === 0x5a) out.events.push(nested(r, (s, e) => readEvent(buf, s, e)));
    else r.skip(t & 7);
  }
  return out;
}

function readStatusResponse(buf: Buffer): PbStatusResponse {
  const out: PbStatusResponse = { header: emptyHeader(), version: '', leader: 0, errors: [] };
  const r = new PbReader(buf);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) out.header = nested(r, (s, e) => header(buf, s, e));
    else if (t === 0x12) out.version = r.string();
    else if (t === 0x20) out.leader = r.varint();
    else if (t === 0x42) out.errors.push(r.string());
    else r.skip(t & 7);
  }
  return out;
}

/** LeaseGrantResponse and LeaseKeepAliveResponse share their fields (ID 2, TTL 3; grant's error 4). */
function readLeaseResponse(buf: Buffer): { header: PbHeader; ID: number; TTL: number; error: string } {
  const out = { header: emptyHeader(), ID: 0, TTL: 0, error: '' };
  const r = new PbReader(buf);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) out.header = nested(r, (s, e) => header(buf, s, e));
    else if (t === 0x10) out.ID = r.varint();
    else if (t === 0x18) out.TTL = r.varint();
    else if (t === 0x22) out.error = r.string();
    else r.skip(t & 7);
  }
  return out;
}

/** Answers that carry only a header (Compact, LeaseRevoke). */
function readHeaderOnly(buf: Buffer): { header: PbHeader } {
  const out = { header: emptyHeader() };
  const r = new PbReader(buf);
  while (r.more()) {
    const t = r.varint();
    if (t === 0x0a) out.header = nested(r, (s, e) => header(buf, s, e));
    else r.skip(t & 7);
  }
  return out;
}

export interface Method {
  /** The gRPC path, /package.Service/Method. */
  path: string;
  /** The request, framed for the wire (5-byte gRPC prefix). */
  encode(req: object): Buffer;
  decode(msg: Buffer): unknown;
}

function method(path: string, write: (w: PbWriter, req: Obj) => void, decode: (msg: Buffer) => unknown): Method {
  return {
    path,
    encode: (req) => {
      const w = new PbWriter();
      write(w, req as Obj);
      return w.grpcFrame();
    },
    decode,
  };
}

/** Every call kplane makes, by service and method name. */
export const METHODS: Record<string, Method> = {
  'KV.Range': method('/etcdserverpb.KV/Range', writeRange, (m) => readRangeResponse(m)),
  'KV.Txn': method('/etcdserverpb.KV/Txn', writeTxn, (m) => readTxnResponse(m)),
  'KV.Compact': method('/etcdserverpb.KV/Compact', (w, r) => {
    w.int(1, r.revision as number);
    w.bool(2, r.physical as boolean);
  }, readHeaderOnly),
  'Lease.LeaseGrant': method('/etcdserverpb.Lease/LeaseGrant', (w, r) => {
    w.int(1, r.TTL as number);
    w.int(2, r.ID as number);
  }, readLeaseResponse),
  'Lease.LeaseRevoke': method('/etcdserverpb.Lease/LeaseRevoke', (w, r) => w.int(1, r.ID as number), readHeaderOnly),
  'Lease.LeaseKeepAlive': method('/etcdserverpb.Lease/LeaseKeepAlive', (w, r) => w.int(1, r.ID as number), readLeaseResponse),
  'Maintenance.Status': method('/etcdserverpb.Maintenance/Status', () => {}, readStatusResponse),
  'Watch.Watch': method('/etcdserverpb.Watch/Watch', writeWatch, readWatchResponse),
};
