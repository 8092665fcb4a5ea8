import { describe } from 'vitest';
import { type BackendConformanceOptions, type MakeBackend } from './helpers.js';
import { guardSuite } from './guard-suite.js';
import { kvSuite } from './kv-suite.js';
import { leaseSuite } from './lease-suite.js';
import { listSuite } from './list-suite.js';
import { propertySuite } from './property-suite.js';
import { watchSuite } from './watch-suite.js';

/**
 * The Backend conformance suite: every backend (memory, sqlite, raftsqlite, etcd) must pass it.
 * Call it at the top level of a *.test.ts file. `makeBackend` returns a fresh backend per test (or a
 * shared one: every test works under its own key prefix and closes what it was given); revisions
 * are checked relative to the store's revision when the test starts.
 */
export function runBackendConformance(name: string, makeBackend: MakeBackend, opts: BackendConformanceOptions = {}): void {
  describe(`Backend conformance: ${name}`, () => {
    kvSuite(makeBackend);
    guardSuite(makeBackend);
    listSuite(makeBackend);
    watchSuite(makeBackend, opts);
    leaseSuite(makeBackend, opts);
    propertySuite(makeBackend, opts);
  });
}
