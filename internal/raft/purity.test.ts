import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core must stay pure (raft-and-testing.md (b).1): no clocks, randomness, timers, Promises or
// I/O, and no imports outside internal/util. Checked over every non-test source file.
const dir = new URL('.', import.meta.url).pathname;
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

const FORBIDDEN: [RegExp, string][] = [
  [/Date\.now|new Date\(/, 'wall clock'],
  [/Math\.random/, 'unseeded randomness'],
  [/setTimeout|setInterval|setImmediate|process\.nextTick|queueMicrotask/, 'timers'],
  [/\bPromise\b|\basync\b|\bawait\b/, 'asynchrony'],
  [/from 'node:|from "node:|require\(/, 'Node I/O modules'],
];

describe('purity of internal/raft', () => {
  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  for (const f of sources) {
    it(`${f} uses no clock, randomness, timers, Promises or I/O and imports only util`, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const [re, what] of FORBIDDEN) expect(re.test(code), `${f}: ${what}`).toBe(false);
      for (const m of code.matchAll(/from '([^']+)'/g)) {
        const spec = m[1]!;
        expect(spec.startsWith('./') || spec === '../util/index.js', `${f} imports ${spec}`).toBe(true);
      }
    });
  }
});
