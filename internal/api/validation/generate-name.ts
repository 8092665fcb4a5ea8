import type { Rand } from '../../util/index.js';

/** Upstream's random-string alphabet: no vowels (no accidental words) and no easily confused 0/1/3. */
export const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const GENERATE_NAME_RANDOM_LENGTH = 5;
/** 63 − 5: a longer generateName is cut so the result still fits a DNS label. */
export const MAX_GENERATE_NAME_PREFIX = 58;

/** Returns generateName (cut to 58 characters) followed by 5 random characters drawn with `rand`. */
export function generateNameFrom(base: string, rand: Rand): string {
  let out = base.length > MAX_GENERATE_NAME_PREFIX ? base.slice(0, MAX_GENERATE_NAME_PREFIX) : base;
  for (let i = 0; i < GENERATE_NAME_RANDOM_LENGTH; i++) {
    out += GENERATE_NAME_ALPHABET[Math.floor(rand() * GENERATE_NAME_ALPHABET.length)];
  }
  return out;
}
