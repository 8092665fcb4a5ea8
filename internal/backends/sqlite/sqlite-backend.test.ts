import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runBackendConformance } from '../../storage/testing/index.js';
import { createSqliteBackend } from './sqlite-backend.js';

const dir = mkdtempSync(join(tmpdir(), 'kplane-sqlite-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// A tiny ring so catch-up reads SQLite history; a fast lease check so 1-second leases expire promptly.
runBackendConformance(
  'sqlite',
  () =>
    createSqliteBackend({
      path: join(dir, `t${n++}.db`),
      compaction: false,
      leaseCheckIntervalMs: 50,
      watch: { ringMaxEvents: 8, watcherMaxEvents: 50 },
    }),
  { watcherQueueLimit: 50 },
);
