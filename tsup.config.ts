import { defineConfig } from 'tsup';

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
});
