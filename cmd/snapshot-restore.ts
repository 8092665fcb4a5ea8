import { Args, Flags } from '@oclif/core';
import { restoreSnapshot } from '../internal/app/index.js';
import { OpsCommand } from './ops-command.js';
import { parseListen } from './server.js';

export default class SnapshotRestore extends OpsCommand {
  static override summary = 'Offline: make DATA_DIR a new one-node cluster from a snapshot file (backs DATA_DIR up first).';

  static override description =
    "Its state starts at the snapshot's applied index, with a fresh Raft log in which this node is the only voter; other nodes join it with kplane add-node. Anything DATA_DIR held is first copied to DATA_DIR.backup-<time>; its certificates are kept (a new data dir gets them at the first start). Give the --listen/--peer-listen/--advertise-address the server will run with: they make the peer address other nodes join through.";

  static override args = { file: Args.string({ description: 'the snapshot file (written by kplane snapshot save)', required: true }) };

  static override flags = {
    'data-dir': Flags.string({ description: 'data directory to restore into (no server may be running on it)', default: './kplane-data' }),
    listen: Flags.string({ description: 'HOST:PORT the server will serve the API on', default: '0.0.0.0:6443' }),
    'peer-listen': Flags.string({ description: 'HOST:PORT the server will take Raft traffic on (default: the --listen host, port + 1)' }),
    'advertise-address': Flags.string({ description: 'address other nodes will reach this one by' }),
    'failure-domain': Flags.string({ description: 'failure domain of this node' }),
    'backup-dir': Flags.string({ description: 'folder to put the copy of a non-empty data dir in (default: beside the data dir)' }),
  };

  static override examples = ['kplane snapshot restore backup.db --data-dir /var/lib/kplane-new', 'kplane server --data-dir /var/lib/kplane-new'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SnapshotRestore);
    const dir = flags['data-dir'];
    const r = await restoreSnapshot({
      file: args.file,
      dataDir: dir,
      listen: parseListen(flags.listen),
      peerListen: flags['peer-listen'] ? parseListen(flags['peer-listen']) : undefined,
      advertiseAddress: flags['advertise-address'],
      failureDomain: flags['failure-domain'],
      backupDir: flags['backup-dir'],
    });
    if (r.backup) this.log(`backed up the previous contents of ${dir} to ${r.backup}`);
    this.log(`restored ${args.file} into ${dir}: applied index ${r.index}, term ${r.term}, revision ${r.revision}`);
    this.log(`new cluster: node ${r.nodeId} is the only voter (Raft peer address ${r.peerAddress}), cluster id ${r.clusterId}`);
    if (!r.credentials) this.log('certificates and the admin kubeconfig are created at the first start');
    else if (!r.caKey) this.log(`note: ${dir} holds no CA key, so this node cannot admit new nodes with kplane add-node`);
    this.log('Start it with:');
    this.log(`  kplane server --data-dir ${dir} --listen ${flags.listen}${flags['peer-listen'] ? ` --peer-listen ${flags['peer-listen']}` : ''}${flags['advertise-address'] ? ` --advertise-address ${flags['advertise-address']}` : ''}`);
    this.log('then add nodes with `kplane add-node` on it and `kplane server --join` on each new machine.');
  }
}
