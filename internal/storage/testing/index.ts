// internal/storage/testing: shared test suites for storage implementations (imports vitest; tests only).
export { runBackendConformance } from './conformance.js';
export { WatchRecorder, expectWellFormedStream, type BackendConformanceOptions, type MakeBackend } from './helpers.js';
