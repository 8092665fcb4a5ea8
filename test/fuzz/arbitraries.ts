import fc from 'fast-check';

/**
 * Building blocks for hostile input: strings over the characters that matter to each grammar
 * (quotes, escapes, separators, control and non-ASCII characters), and structural mutations of
 * well-formed text (a truncation, a flipped byte, an inserted fragment).
 */

const NASTY = ['\u0000', '\u0001', '\u001f', '\u007f', '\u00ff', '\u2028', '\ud800', '\ufeff', '中', '"', "'", '\\', '/', '%', '~', '$', '&', '*', '!', '#', '|', '>', '-', '?', ':', ',', '=', '(', ')', '[', ']', '{', '}', ' ', '\t', '\n', '\r', '.', '..', '0', '-1', '1e400', 'null'];

export const nastyChar = fc.constantFrom(...NASTY);
export const nastyString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.array(fc.oneof(nastyChar, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((a) => a.join('')),
  fc.constantFrom('', 'a', 'default', 'kube-system', '__proto__', 'constructor', 'metadata', 'x'.repeat(300)),
);

/** Text from an alphabet of a grammar's own tokens and a few foreign characters. */
export function grammarText(tokens: string[], maxLength = 20): fc.Arbitrary<string> {
  return fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...tokens) }, { weight: 1, arbitrary: nastyChar }), { maxLength }).map((a) => a.join(''));
}

/** A JSON-like value with nasty keys and leaves, a few levels deep. */
export const nastyJson: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(nastyString, tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Mutates well-formed text: truncation, a replaced or inserted span, a byte flip, deep nesting. */
export function mutatedText(base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 5 }), nastyString).map(([text, i, j, op, frag]) => {
    const a = text.length ? i % text.length : 0;
    const b = text.length ? j % text.length : 0;
    switch (op) {
      case 0:
        return text.slice(0, a);
      case 1:
        return text.slice(0, Math.min(a, b)) + frag + text.slice(Math.max(a, b));
      case 2:
        return text.slice(0, a) + frag + text.slice(a);
      case 3:
        return text.slice(0, a) + String.fromCharCode((text.charCodeAt(a) ^ (1 << (j % 8))) & 0xffff) + text.slice(a + 1);
      case 4:
        return text.slice(0, a) + '['.repeat(b % 20_000) + text.slice(a);
      default:
        return text;
    }
  });
}

export function mutatedBytes(base: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc.tuple(base, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 4 })).map(([buf, edits]) => {
    let b = Buffer.from(buf);
    for (const [i, byte, op] of edits) {
      const at = b.length ? i % b.length : 0;
      if (op === 0 && b.length) b[at] = byte;
      else if (op === 1) b = Buffer.concat([b.subarray(0, at), Buffer.from([byte]), b.subarray(at)]);
      else if (op === 2) b = b.subarray(0, at);
      else b = Buffer.concat([b.subarray(0, at), Buffer.alloc(byte % 16, byte), b.subarray(at)]);
    }
    return b;
  });
}

/** Object names: mostly from a small pool (so updates, patches and conflicts happen), some nasty. */
export const objectName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('a', 'b', 'c', 'web-1') }, { weight: 1, arbitrary: nastyString });
