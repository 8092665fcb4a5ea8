import { CodecError } from './codec-error.js';

/**
 * Nesting limits for decoded request bodies. Upstream's JSON decoder refuses more than 10,000
 * levels of arrays and objects; deeper bodies would overflow the stack of every recursive walk
 * after decoding (validation, field management, cloning), so they are refused before.
 */
export const MAX_NESTING_DEPTH = 10_000;

export function tooDeep(max = MAX_NESTING_DEPTH): CodecError {
  return new CodecError('Malformed', `exceeded max depth of ${max} nested arrays and objects`);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Throws when JSON text nests arrays/objects deeper than `max`. A linear scan that skips strings;
 * it runs before JSON.parse, which is not the place that overflows but hands the tree on to code
 * that would. Malformed text is left to the parser to report.
 */
export function checkJsonDepth(text: string, max = MAX_NESTING_DEPTH): void {
  // Fewer brackets than the limit cannot nest deeper than it (the common case, no per-char work).
  if (text.length <= max) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) throw tooDeep(max);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
}

/** A stack overflow inside a decoder is bad input (too deep), never a server fault. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

/**
 * YAML aliases let a small body stand for a huge tree (a "billion laughs" bomb) or a cyclic one.
 * Walks the decoded value with shared nodes expanded, as the JSON the server will handle, and
 * throws once it is deeper than `maxDepth` or its JSON form would exceed `maxBytes`. Cost is
 * bounded by the budget, whatever the input.
 */
export function checkExpandedSize(value: unknown, maxBytes: number, maxDepth = MAX_NESTING_DEPTH): void {
  let bytes = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v !== 'object' || v === null) bytes += 8;
    else {
      if (d + 1 > maxDepth) throw tooDeep(maxDepth);
      if (Array.isArray(v)) {
        bytes += 2 + v.length;
        for (const child of v) stack.push([child, d + 1]);
      } else {
        bytes += 2;
        for (const [k, child] of Object.entries(v)) {
          bytes += k.length + 4;
          stack.push([child, d + 1]);
        }
      }
    }
    if (bytes > maxBytes) {
      throw new CodecError('Malformed', `the YAML document expands to more than ${maxBytes} bytes of JSON (aliases referenced too often, or a cycle)`);
    }
  }
}
