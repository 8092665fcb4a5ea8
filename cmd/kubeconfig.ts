import { Command, Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { adminKubeconfig, ensureCredentials, pkiPaths } from '../internal/app/index.js';
import { ConfigError } from '../internal/util/index.js';

export default class Kubeconfig extends Command {
  static override description = 'Print an admin kubeconfig for the server whose data directory is given.';

  static override flags = {
    'data-dir': Flags.string({ description: 'data directory of the server', default: './kplane-data' }),
    server: Flags.string({ description: 'server URL to put in the kubeconfig', default: 'https://127.0.0.1:6443' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Kubeconfig);
    if (!existsSync(pkiPaths(flags['data-dir']).caCert)) {
      throw new ConfigError(`no credentials in ${flags['data-dir']}: start "kplane server --data-dir ${flags['data-dir']}" first`);
    }
    process.stdout.write(adminKubeconfig(ensureCredentials(flags['data-dir']), flags.server));
  }
}
