import { describe, expect, it } from 'vitest';
import { seededRand, type Rand } from '../../util/index.js';
import { applyMergePatch, createMergePatch } from './merge-patch.js';

// Property: for any two JSON objects without null values (a merge patch cannot express a null
// value), applying createMergePatch(a, b) to a gives b, and never changes a.

type Json = string | number | boolean | Json[] | { [k: string]: Json };

const KEYS = ['a', 'b', 'c', 'd', 'e'];

function value(rand: Rand, depth: number): Json {
  const r = rand();
  if (depth > 0 && r < 0.3) return object(rand, depth - 1);
  if (depth > 0 && r < 0.45) return Array.from({ length: Math.floor(rand() * 3) }, () => value(rand, depth - 1));
  if (r < 0.65) return KEYS[Math.floor(rand() * KEYS.length)]!;
  if (r < 0.85) return Math.floor(rand() * 5);
  return rand() < 0.5;
}

function object(rand: Rand, depth: number): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const k of KEYS) if (rand() < 0.5) out[k] = value(rand, depth);
  return out;
}

/** b as a mutation of a, so the pair shares structure the way successive object versions do. */
function mutate(rand: Rand, a: { [k: string]: Json }, depth: number): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const k of KEYS) {
    const r = rand();
    if (k in a && r < 0.6) {
      const v = a[k]!;
      out[k] = v && typeof v === 'object' && !Array.isArray(v) && depth > 0 ? mutate(rand, v, depth - 1) : v;
    } else if (r < 0.8) {
      out[k] = value(rand, depth);
    }
  }
  return out;
}

describe('createMergePatch / applyMergePatch property', () => {
  it('apply(a, diff(a, b)) equals b for 2000 random pairs', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const rand = seededRand(seed);
      const a = object(rand, 3);
      const b = rand() < 0.5 ? object(rand, 3) : mutate(rand, a, 3);
      const before = JSON.stringify(a);
      const patch = createMergePatch(a, b);
      expect(applyMergePatch(a, patch), `seed ${seed}: ${before} → ${JSON.stringify(b)} via ${JSON.stringify(patch)}`).toEqual(b);
      expect(JSON.stringify(a)).toBe(before);
    }
  });
});
