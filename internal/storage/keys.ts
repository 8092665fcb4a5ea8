/**
 * Key ordering shared by the backends. Keys are compared in UTF-8 byte order (etcd's order, and
 * SQLite's BINARY order on BLOB keys). JavaScript's `<` on strings compares UTF-16 code units, which
 * differs from byte order only for characters above U+FFFF versus U+E000..U+FFFF; compareKeys maps
 * code units so that both orders agree.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

// Surrogates (code points >= U+10000) must sort after U+E000..U+FFFF, as their UTF-8 bytes do.
function codeUnitRank(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  if (c >= 0xe000) return c - 0x800;
  return c;
}

/** The greater of two keys in byte order. */
export function maxKey(a: string, b: string): string {
  return compareKeys(a, b) >= 0 ? a : b;
}

/** Approximate memory cost of a watch event, for the byte caps of rings and queues. */
export function eventBytes(ev: { kv: { key: string; value: Uint8Array }; prevKv?: { key: string; value: Uint8Array } }): number {
  let n = 64 + ev.kv.key.length + ev.kv.value.byteLength;
  if (ev.prevKv) n += 48 + ev.prevKv.key.length + ev.prevKv.value.byteLength;
  return n;
}
