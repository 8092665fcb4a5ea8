import { afterEach } from 'vitest';
import type { ResourceDefinition } from '../../registry/index.js';
import { createTestRegistry, type TestRegistry } from '../../registry/testing/index.js';

/**
 * For a test file of the client: the registry a test opens and a stop signal for what it runs;
 * after each test the signal aborts and the registry closes.
 */
export function registryPerTest(): { open(defs: ResourceDefinition[]): TestRegistry; readonly signal: AbortSignal } {
  let registry: TestRegistry | undefined;
  let stop = new AbortController();
  afterEach(async () => {
    stop.abort();
    stop = new AbortController();
    await registry?.close();
    registry = undefined;
  });
  return {
    open(defs) {
      registry = createTestRegistry(defs);
      return registry;
    },
    get signal() {
      return stop.signal;
    },
  };
}
