/**
 * The protobuf wire format, as much as etcd's messages need: varints (int64 as a JavaScript number:
 * revisions, lease ids and watch ids stay below 2^53; negative int64 such as watch id -1 read
 * exactly), length-delimited fields (bytes, strings, nested messages), and skipping unknown fields.
 */

const TWO_32 = 4294967296;

export class PbWriter {
  private buf = Buffer.allocUnsafe(512);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n + 64));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A varint; a negative int64 takes ten bytes (two's complement), as protobuf encodes it. */
  varint(v: number): void {
    this.ensure(10);
    if (v >= 0 && v < 128) {
      this.buf[this.pos++] = v;
      return;
    }
    let lo: number;
    let hi: number;
    if (v >= 0) {
      lo = v >>> 0;
      hi = Math.floor(v / TWO_32) >>> 0;
    } else {
      const a = -v;
      lo = ~(a >>> 0);
      hi = ~Math.floor(a / TWO_32);
      lo = (lo + 1) >>> 0;
      hi = (lo === 0 ? hi + 1 : hi) >>> 0;
    }
    while (hi > 0 || lo > 127) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** An integer field; zero is the default and is left out unless `always` (a oneof member). */
  int(field: number, v: number | undefined, always = false): void {
    if (!v && !always) return;
    this.tag(field, 0);
    this.varint(v ?? 0);
  }

  bool(field: number, v: boolean | undefined): void {
    if (!v) return;
    this.tag(field, 0);
    this.buf[this.pos++] = 1;
  }

  bytes(field: number, b: Uint8Array | string | undefined, always = false): void {
    if (b === undefined || (b.length === 0 && !always)) return;
    const data = typeof b === 'string' ? Buffer.from(b) : b;
    this.tag(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** A nested message: its body is written by `body`, then moved right to make room for its length. */
  message(field: number, body: () => void): void {
    this.tag(field, 2);
    this.ensure(1);
    const start = ++this.pos;
    body();
    const len = this.pos - start;
    const size = varintSize(len);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(start + size - 1, start, this.pos);
      this.pos += size - 1;
    }
    const end = this.pos;
    this.pos = start - 1;
    this.varint(len);
    this.pos = end;
  }

  /** The message framed as gRPC sends it: no compression flag, 4-byte big-endian length, the message. */
  grpcFrame(): Buffer {
    const out = Buffer.allocUnsafe(5 + this.pos);
    out[0] = 0;
    out.writeUInt32BE(this.pos, 1);
    this.buf.copy(out, 5, 0, this.pos);
    return out;
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export class PbReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** A varint as a number: exact below 2^53, negative for a negative int64. */
  varint(): number {
    const b = this.buf;
    let p = this.pos;
    let byte = b[p++]!;
    if (byte < 128) {
      this.pos = p;
      return byte;
    }
    let lo = byte & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      byte = b[p++]!;
      lo |= (byte & 0x7f) << shift;
      if (byte < 128) {
        this.pos = p;
        return lo >>> 0;
      }
    }
    byte = b[p++]!;
    lo |= (byte & 0x0f) << 28;
    let hi = (byte & 0x7f) >> 4;
    if (byte >= 128) {
      for (let shift = 3; shift < 32; shift += 7) {
        byte = b[p++]!;
        hi |= (byte & 0x7f) << shift;
        if (byte < 128) break;
      }
    }
    if (p > this.end) throw new Error('protobuf: varint runs past the message');
    this.pos = p;
    lo >>>= 0;
    hi >>>= 0;
    if (hi & 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
    return hi * TWO_32 + lo;
  }

  /** A length-delimited field's bounds; the reader moves past it. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.end) throw new Error('protobuf: field runs past the message');
    return [start, this.pos];
  }

  /** A bytes field as a view on the message's buffer (no copy). */
  bytes(): Buffer {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }

  string(): string {
    const [s, e] = this.span();
    return this.buf.toString('utf8', s, e);
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.span();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}
