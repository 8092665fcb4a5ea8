// Test helpers of the registry (imported by tests only): the generic resource tester, a
// deterministic registry over the memory backend, and small fixture definitions.
export { runResourceTests, type ResourceTestCases, type InvalidCase } from './resource-tests.js';
export { createTestRegistry, take, ADMIN, type TestRegistry, type TestRequest } from './test-registry.js';
export * as fixtures from './fixtures.js';
