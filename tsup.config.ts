import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';
import { encodeGnosticV2 } from './internal/apiserver/openapi/gnostic.js';
import { builtGnosticV2File, openapiDir } from './internal/apiserver/openapi/vendored.js';

/**
 * V8 keeps every script's source in memory, as one byte per character only if all of it is Latin-1.
 * A single "→" in a comment made the 0.7 MB main bundle a 1.4 MB two-byte string in each process
 * (heap snapshot of an idle server). esbuild leaves non-ASCII in comments and regular expressions,
 * so the built files spell them as \u escapes, which mean the same in comments, strings, templates
 * and regular expressions.
 */
async function asciiOnly(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.js')) continue;
    const file = `${dir}/${name}`;
    const text = await readFile(file, 'utf8');
    // eslint-disable-next-line no-control-regex
    const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (ascii !== text) await writeFile(file, ascii);
  }
}

/** kubectl 1.27/1.28's /openapi/v2 form, encoded once here instead of in every server (vendored.ts). */
async function gnosticV2(): Promise<void> {
  const out = builtGnosticV2File();
  await mkdir(out.slice(0, out.lastIndexOf('/')), { recursive: true });
  await writeFile(out, encodeGnosticV2(JSON.parse(await readFile(`${openapiDir()}/v2.json`, 'utf8'))));
}

// One bundle for the whole binary: cmd/index.ts is the oclif command map and the entry point.
// Native and large runtime dependencies stay external and are installed with `npm ci --omit=dev`.
export default defineConfig({
  // The Raft engine's worker thread loads its own entry, next to the main bundle (raftnode/worker-engine.ts).
  // First-start certificate creation runs on its own worker thread too (app/credentials-worker.ts).
  entry: {
    'cmd/index': 'cmd/index.ts',
    'cmd/engine-worker': 'internal/raftnode/engine-worker.ts',
    'cmd/credentials-worker': 'internal/app/credentials-worker.ts',
  },
  outDir: 'dist',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  splitting: false,
  sourcemap: true,
  clean: true,
  dts: false,
  shims: false,
  onSuccess: async () => {
    await asciiOnly('dist/cmd');
    await gnosticV2();
  },
});
