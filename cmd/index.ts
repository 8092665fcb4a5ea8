// The explicit oclif command map: one file per command beside this one. Commands are thin: they
// parse flags, call internal/app, and map errors to exit codes. package.json sets topicSeparator to
// " ": a key "snapshot:save" is typed `kplane snapshot save` (the colon form still works).
import AddNode from './add-node.js';
import Kubeconfig from './kubeconfig.js';
import Leave from './leave.js';
import Recover from './recover.js';
import Server from './server.js';
import Snapshot from './snapshot.js';
import SnapshotRestore from './snapshot-restore.js';
import SnapshotSave from './snapshot-save.js';
import Status from './status.js';
import Version from './version.js';

export const commands = {
  server: Server,
  kubeconfig: Kubeconfig,
  version: Version,
  'add-node': AddNode,
  status: Status,
  leave: Leave,
  snapshot: Snapshot,
  'snapshot:save': SnapshotSave,
  'snapshot:restore': SnapshotRestore,
  recover: Recover,
};
