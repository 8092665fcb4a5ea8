import { Command, Flags } from '@oclif/core';
import { requestLeave } from '../internal/app/index.js';

export default class Leave extends Command {
  static override description =
    'Remove this node from its raftsqlite cluster gracefully (a leader hands leadership over first); stop the server afterwards.';

  static override flags = {
    'data-dir': Flags.string({ description: 'data directory of the node that leaves', default: './kplane-data' }),
    server: Flags.string({ description: 'API URL of the node that leaves (default: the one in DATA_DIR/kubeconfig)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Leave);
    const r = (await requestLeave(flags['data-dir'], flags.server)) as { removed: number; leader: number };
    this.log(`node ${r.removed} left the cluster (leader now ${r.leader || 'unknown'}); stop its server, and wipe ${flags['data-dir']} before reusing it.`);
  }
}
