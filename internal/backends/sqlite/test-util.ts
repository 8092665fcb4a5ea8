import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp directory for database files, removed by cleanup(). Tests only. */
export function tempDir(tag: string): { path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `kplane-${tag}-`));
  return { path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const b = (s: string): Uint8Array => new TextEncoder().encode(s);
export const s = (u: Uint8Array | undefined): string | undefined => (u ? new TextDecoder().decode(u) : undefined);
