// internal/app: the composition root. It picks the backend, stacks storage, builds the registry,
// the apiserver and (later) the plugin host. The only module that may import every other one.
export * from './version.js';
export * from './pki.js';
export * from './kubeconfig.js';
export * from './credentials.js';
export * from './server.js';
export * from './datastore.js';
export { createJoinToken, fetchClusterStatus, fetchPluginsStatus, requestLeave, requestSnapshot, serverFromKubeconfig, joinUrl, JOIN_PATH, STATUS_PATH, LEAVE_PATH } from './join.js';
export { restoreSnapshot, type RestoreOptions, type RestoreResult } from './restore.js';
export { inspectNode, describeRecovery, recoverNode, SURVIVOR_GUIDANCE, type NodeReport, type RecoverResult } from './recover.js';
export type { ClusterStatus } from './cluster-status.js';
export { saveSnapshotCopy } from './snapshot-file.js';
export { parseAuthorizationModes } from '../registry/index.js';
export { holderNode, type PluginsStatus } from './plugin-status.js';
