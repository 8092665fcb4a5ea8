import { afterEach, beforeEach, describe } from 'vitest';
import type { Backend } from '../backend.js';
import type { ObjectStore } from '../object-store.js';
import { crudTests } from './object-store-conformance-crud.js';
import { listTests } from './object-store-conformance-list.js';
import { propertyTests } from './object-store-conformance-property.js';
import { watchTests } from './object-store-conformance-watch.js';

/** What a conformance run gets from `make`: the store under test and the backend below it. */
export interface ObjectStoreFixture {
  store: ObjectStore;
  /** The backend the store writes to; the suite uses it for compaction and revision checks only. */
  backend: Backend;
  /** Resolves once reads with resourceVersion "0" reflect every write made so far (caches catch up). */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

export interface ObjectStoreConformanceOptions {
  /** The bookmark interval `make` configured the store with; the suite waits a few of them. */
  bookmarkIntervalMs: number;
  /** The future-revision wait `make` configured; FutureRevision tests wait about this long. */
  futureRevisionWaitMs: number;
}

/** The fixture of the running test; a getter because vitest builds each test's fixture in beforeEach. */
export type FixtureRef = () => ObjectStoreFixture;

/**
 * The ObjectStore contract as tests, run against every implementation (the plain store and the
 * watch cache), after k8s.io/apiserver storage/testing's RunTest* suites.
 */
export function runObjectStoreConformance(
  name: string,
  make: () => Promise<ObjectStoreFixture>,
  opts: ObjectStoreConformanceOptions,
): void {
  describe(`ObjectStore conformance: ${name}`, () => {
    let fx: ObjectStoreFixture | undefined;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx?.close();
      fx = undefined;
    });
    const ref: FixtureRef = () => {
      if (!fx) throw new Error('fixture not ready');
      return fx;
    };
    crudTests(ref, opts);
    listTests(ref, opts);
    watchTests(ref, opts);
    propertyTests(ref);
  });
}
