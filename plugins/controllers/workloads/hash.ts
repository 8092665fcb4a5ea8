/** 32-bit FNV-1a of a string's UTF-8 bytes. */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// Upstream's rand.SafeEncodeString alphabet: no vowels (no words) and no look-alike characters.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** The decimal digits of `n` mapped onto the safe alphabet, as pod-template-hash values look. */
export function safeEncode(n: number): string {
  return [...String(n)].map((d) => ALPHABET[d.charCodeAt(0) % ALPHABET.length]).join('');
}

/** JSON with object keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A pod template's hash (with the collision count mixed in when set), as the pod-template-hash label. */
export function templateHash(template: unknown, collisionCount?: number): string {
  const text = canonicalJson(template) + (collisionCount ? `#${collisionCount}` : '');
  return safeEncode(fnv32a(text));
}
