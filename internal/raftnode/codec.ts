import type { ConfState, Entry, Message, MessageType, Snapshot } from '../raft/index.js';

/**
 * Binary encodings of what travels between nodes and into log entries. Numbers are float64 (exact
 * up to 2^53, enough for terms, indexes, revisions and lease ids), lengths uint32, strings UTF-8.
 * Explicit layouts rather than JSON: entries carry object bytes (protobuf or JSON) that base64 would
 * inflate by a third and that JSON.parse would copy.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
    return this;
  }

  f64(v: number): this {
    this.reserve(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.u32(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  str(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  private readonly view: DataView;
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new CodecError(`truncated input: need ${n} bytes at ${this.pos} of ${this.buf.length}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** A view into the input (no copy); callers that keep it beyond the input's life must copy. */
  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  str(): string {
    const b = this.bytes();
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }
}

/** Malformed bytes from a peer or the log. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}

const MESSAGE_TYPES: readonly MessageType[] = [
  'app',
  'appResp',
  'vote',
  'voteResp',
  'preVote',
  'preVoteResp',
  'heartbeat',
  'heartbeatResp',
  'snap',
  'prop',
  'readIndex',
  'readIndexResp',
  'transferLeader',
  'timeoutNow',
];
const MESSAGE_TYPE_CODE = new Map(MESSAGE_TYPES.map((t, i) => [t, i]));

export function writeMessage(w: ByteWriter, m: Message): void {
  w.u8(MESSAGE_TYPE_CODE.get(m.type)!).f64(m.from).f64(m.to).f64(m.term).f64(m.logTerm).f64(m.index).f64(m.commit);
  // Flags: bit 0 reject, bit 1 noAck (older readers see only reject, and answer every append).
  w.u8((m.reject ? 1 : 0) | (m.noAck ? 2 : 0)).f64(m.rejectHint);
  w.u32(m.entries.length);
  for (const e of m.entries) writeEntry(w, e);
  w.u8(m.snapshot ? 1 : 0);
  if (m.snapshot) writeSnapshot(w, m.snapshot);
  w.u8(m.context ? 1 : 0);
  if (m.context) w.bytes(m.context);
}

export function readMessage(r: ByteReader): Message {
  const type = MESSAGE_TYPES[r.u8()];
  if (!type) throw new CodecError('unknown message type');
  const m: Message = {
    type,
    from: r.f64(),
    to: r.f64(),
    term: r.f64(),
    logTerm: r.f64(),
    index: r.f64(),
    commit: r.f64(),
    reject: false,
    rejectHint: 0,
    entries: [],
  };
  const flags = r.u8();
  m.reject = (flags & 1) === 1;
  if ((flags & 2) !== 0) m.noAck = true;
  m.rejectHint = r.f64();
  const n = r.u32();
  for (let i = 0; i < n; i++) m.entries.push(readEntry(r));
  if (r.u8() === 1) m.snapshot = readSnapshot(r);
  if (r.u8() === 1) m.context = r.bytes().slice();
  return m;
}

function writeEntry(w: ByteWriter, e: Entry): void {
  w.f64(e.term).f64(e.index).u8(e.type === 'confChange' ? 1 : 0).bytes(e.data);
}

function readEntry(r: ByteReader): Entry {
  const term = r.f64();
  const index = r.f64();
  const type = r.u8() === 1 ? 'confChange' : 'normal';
  // Copied: entries outlive the frame (they sit in the unstable log and the log cache).
  return { term, index, type, data: r.bytes().slice() };
}

function writeSnapshot(w: ByteWriter, s: Snapshot): void {
  w.f64(s.metadata.index).f64(s.metadata.term);
  writeConf(w, s.metadata.confState);
  w.bytes(s.data);
}

function readSnapshot(r: ByteReader): Snapshot {
  const index = r.f64();
  const term = r.f64();
  const confState = readConf(r);
  return { metadata: { index, term, confState }, data: r.bytes().slice() };
}

function writeConf(w: ByteWriter, c: ConfState): void {
  w.u32(c.voters.length);
  for (const v of c.voters) w.f64(v);
  w.u32(c.learners.length);
  for (const l of c.learners) w.f64(l);
}

function readConf(r: ByteReader): ConfState {
  const voters: number[] = [];
  for (let n = r.u32(); n > 0; n--) voters.push(r.f64());
  const learners: number[] = [];
  for (let n = r.u32(); n > 0; n--) learners.push(r.f64());
  return { voters, learners };
}

/**
 * The envelope of a normal entry written by the driver: the proposing node and its batch id (so the
 * proposer can match the applied entry to its waiting callers), then the application's commands.
 * Empty entries (the leader's no-op) have no envelope.
 */
export interface EntryEnvelope {
  origin: number;
  batch: number;
  commands: Uint8Array[];
}

const ENVELOPE_VERSION = 1;

export function encodeEnvelope(env: EntryEnvelope): Uint8Array {
  const w = new ByteWriter(64 + env.commands.reduce((n, c) => n + c.length + 4, 0));
  w.u8(ENVELOPE_VERSION).f64(env.origin).f64(env.batch).u32(env.commands.length);
  for (const c of env.commands) w.bytes(c);
  return w.finish();
}

/** Reads only origin and batch (cheap; used to spot our own entries in a Ready). */
export function peekEnvelope(data: Uint8Array): { origin: number; batch: number } {
  const r = new ByteReader(data);
  if (r.u8() !== ENVELOPE_VERSION) throw new CodecError('unknown entry envelope version');
  return { origin: r.f64(), batch: r.f64() };
}

export function decodeEnvelope(data: Uint8Array): EntryEnvelope {
  const r = new ByteReader(data);
  if (r.u8() !== ENVELOPE_VERSION) throw new CodecError('unknown entry envelope version');
  const origin = r.f64();
  const batch = r.f64();
  const commands: Uint8Array[] = [];
  for (let n = r.u32(); n > 0; n--) commands.push(r.bytes());
  return { origin, batch, commands };
}
