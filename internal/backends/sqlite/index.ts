export { createSqliteBackend, type SqliteBackend, type SqliteBackendOptions } from './sqlite-backend.js';
export { createSqliteStateMachine, type SqliteStateMachine } from './state-machine.js';
export { openDatabase, migrate, SCHEMA_VERSION } from './schema.js';
export { SqliteReader, type RevisionWindow } from './reader.js';
export { GroupCommit, type GroupCommitOptions } from './group-commit.js';
export { CompactionPolicy, type CompactionPolicyOptions } from '../shared/compaction-policy.js';
export { Compactor, type CompactorOptions } from './compactor.js';
export { LeaseExpiry } from './lease-expiry.js';
export { OpBackend, type OpBackendParts } from './op-backend.js';
