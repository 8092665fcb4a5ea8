// The explicit oclif command map: one file per command beside this one. Commands are thin: they
// parse flags, call internal/app, and map errors to exit codes.
import AddNode from './add-node.js';
import Kubeconfig from './kubeconfig.js';
import Leave from './leave.js';
import Server from './server.js';
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
  'snapshot:save': SnapshotSave,
};
