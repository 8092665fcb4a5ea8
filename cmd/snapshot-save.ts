import { Args, Flags } from '@oclif/core';
import { requestSnapshot, saveSnapshotCopy } from '../internal/app/index.js';
import { OpsCommand } from './ops-command.js';

export default class SnapshotSave extends OpsCommand {
  static override summary = 'Online: save a consistent copy of the running node\'s datastore to FILE.';

  static override description =
    'The running local server takes a snapshot (SQLite online backup at an applied index) and it is copied out; `kplane snapshot restore FILE` turns it into a new cluster.';

  static override args = { file: Args.string({ description: 'where to write the snapshot (a SQLite file)', required: true }) };

  static override flags = {
    'data-dir': Flags.string({ description: 'data directory of the local (running) node', default: './kplane-data' }),
    server: Flags.string({ description: 'API URL of the local node (default: the one in DATA_DIR/kubeconfig)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SnapshotSave);
    const r = (await requestSnapshot(flags['data-dir'], flags.server)) as { index: number; file: string };
    const saved = saveSnapshotCopy(r.file, args.file);
    this.log(`snapshot at log index ${r.index} saved to ${args.file} (revision ${saved.revision}, ${saved.bytes} bytes)`);
  }
}
