import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory holding kplane's package.json. Works from the TypeScript sources (tests), from the
 * tsup bundle in dist/, and from the container image, so runtime data such as third_party/ can be
 * found with join(packageRoot(), 'third_party', ...).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if (JSON.parse(readFileSync(pj, 'utf8')).name === 'kplane') return (cached = dir);
      } catch {
        // not ours; keep walking up
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('kplane package root not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
