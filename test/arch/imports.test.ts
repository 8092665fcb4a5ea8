import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// Enforces ARCHITECTURE.md §5: a folder imports only folders below it in the dependency order,
// and other modules are reached only through their index.ts. Test files are exempt (they may
// wire real implementations together).
const ROOT = resolve(__dirname, '..', '..');

/** module → the modules it may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  'internal/util': [],
  'internal/api': ['internal/util'],
  'internal/raft': ['internal/util'],
  'internal/cel': ['internal/util'],
  'internal/storage': ['internal/api', 'internal/util'],
  'internal/raftnode': ['internal/raft', 'internal/storage', 'internal/api', 'internal/util'],
  'internal/backends': ['internal/storage', 'internal/raftnode', 'internal/raft', 'internal/api', 'internal/util'],
  'internal/registry': ['internal/storage', 'internal/cel', 'internal/api', 'internal/util'],
  'internal/apiserver': ['internal/registry', 'internal/api', 'internal/util'],
  'internal/client': ['internal/registry', 'internal/api', 'internal/util'],
  'internal/leaderelection': ['internal/client', 'internal/api', 'internal/util'],
  'internal/plugin': ['internal/leaderelection', 'internal/client', 'internal/api', 'internal/util'],
  'internal/app': ['*'],
  plugins: ['internal/plugin', 'internal/client', 'internal/api', 'internal/util'],
  cmd: ['internal/app', 'internal/util'],
};

function moduleOf(rel: string): string | undefined {
  const parts = rel.split(sep);
  if (parts[0] === 'internal' && parts[1]) return `internal/${parts[1]}`;
  if (parts[0] === 'plugins' || parts[0] === 'cmd') return parts[0];
  return undefined;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'testdata') continue;
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes(`${sep}testing${sep}`)) yield p;
  }
}

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out.filter((s) => s.startsWith('.'));
}

function violations(root = ROOT): string[] {
  const found: string[] = [];
  for (const top of ['internal', 'plugins', 'cmd']) {
    let files: string[] = [];
    try {
      files = [...sourceFiles(join(root, top))];
    } catch {
      continue;
    }
    for (const file of files) {
      const from = moduleOf(relative(root, file));
      if (!from) continue;
      for (const spec of importsOf(file)) {
        const target = relative(root, resolve(dirname(file), spec));
        const to = moduleOf(target);
        if (!to || to === from) continue;
        const allowed = ALLOWED[from] ?? [];
        const where = `${relative(root, file)} → ${spec}`;
        if (!allowed.includes('*') && !allowed.includes(to)) found.push(`${where}: ${from} may not import ${to}`);
        // Cross-module imports go through the module's index.ts (internal/registry/resources is
        // the registry's own subfolder, so it counts as the same module).
        const viaIndex = target === `${to}${sep}index.js` || target === `${to}${sep}index.ts` || target === to;
        const subIndex = /[\\/]index\.(js|ts)$/.test(target) && to.startsWith('internal/') && target.startsWith(to);
        if (!viaIndex && !(to === 'internal/backends' && subIndex)) found.push(`${where}: import ${to} through its index.ts`);
      }
    }
  }
  return found;
}

describe('architecture', () => {
  it('every import follows the dependency direction of ARCHITECTURE.md §5', () => {
    expect(violations()).toEqual([]);
  });

  it('the checker catches a forbidden import and a deep import (fixture tree)', () => {
    expect(violations(join(__dirname, 'testdata'))).toEqual([
      'internal/storage/bad.ts → ../registry/index.js: internal/storage may not import internal/registry',
      'internal/storage/bad.ts → ../api/types.js: import internal/api through its index.ts',
    ]);
  });
});
