import { Readable } from 'node:stream';

/**
 * A big list's JSON, produced a slice of items at a time with a turn of the event loop between
 * slices. JSON.stringify of 5,000 objects runs for tens of milliseconds in one piece, and every
 * other request on the node waits behind it; a client listing in a loop then sets everyone's
 * latency. In slices, other requests are served between them (Go's apiserver gets this from its
 * goroutines). The bytes are exactly JSON.stringify(body)'s.
 */

/** Lists with more entries than this go out in slices; smaller ones in one piece. */
export const SLICE_ITEMS = 250;

/** The array property a response streams: a list's items or a Table's rows; undefined when small. */
export function bigArrayOf(body: unknown): 'items' | 'rows' | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  for (const key of ['items', 'rows'] as const) {
    const v = (body as Record<string, unknown>)[key];
    if (Array.isArray(v) && v.length > SLICE_ITEMS) return key;
  }
  return undefined;
}

/**
 * The JSON of one array entry, as text or UTF-8 bytes; undefined as JSON.stringify gives for
 * functions and undefined.
 */
export type EncodeEntry = (x: unknown) => string | Buffer | undefined;

const stringify: EncodeEntry = (x) => JSON.stringify(x);

/**
 * The JSON text of `body` in pieces: the members in order, `key`'s array SLICE_ITEMS entries at a
 * time, each entry's text from `encode` (which must give JSON.stringify's text for it).
 */
export function* jsonSlices(body: Record<string, unknown>, key: string, encode: EncodeEntry = stringify): Generator<string | Buffer> {
  let head = '{';
  let first = true;
  for (const [k, value] of Object.entries(body)) {
    if (k !== key) {
      const v = JSON.stringify(value);
      if (v === undefined) continue; // omitted, as JSON.stringify omits it
      head += `${first ? '' : ','}${JSON.stringify(k)}:${v}`;
      first = false;
      continue;
    }
    const items = value as unknown[];
    head += `${first ? '' : ','}${JSON.stringify(k)}:[`;
    first = false;
    for (let i = 0; i < items.length; i += SLICE_ITEMS) {
      // An array holds no undefined in JSON: JSON.stringify writes null, and so does this.
      const end = Math.min(items.length, i + SLICE_ITEMS);
      const slice = new Slice(`${head}${i === 0 ? '' : ','}`);
      for (let j = i; j < end; j++) {
        if (j > i) slice.add(',');
        slice.add(encode(items[j]) ?? 'null');
      }
      yield slice.done();
      head = '';
    }
    head += ']';
  }
  yield `${head}}`;
}

/** One slice's pieces: text runs joined, bytes kept; all text, or one Buffer (a single copy of each piece). */
class Slice {
  private readonly parts: Buffer[] = [];

  constructor(private run: string) {}

  add(piece: string | Buffer): void {
    if (typeof piece === 'string') {
      this.run += piece;
      return;
    }
    if (this.run) this.parts.push(Buffer.from(this.run));
    this.run = '';
    this.parts.push(piece);
  }

  done(): string | Buffer {
    if (this.parts.length === 0) return this.run;
    if (this.run) this.parts.push(Buffer.from(this.run));
    return Buffer.concat(this.parts);
  }
}

/** jsonSlices as a stream that yields to the event loop between slices. */
export function jsonSliceStream(body: Record<string, unknown>, key: string, encode?: EncodeEntry): Readable {
  const slices = jsonSlices(body, key, encode);
  return Readable.from(
    (async function* () {
      for (const s of slices) {
        yield s;
        await new Promise((r) => setImmediate(r));
      }
    })(),
    { objectMode: false },
  );
}
