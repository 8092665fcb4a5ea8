import { Command, Flags } from '@oclif/core';
import { createJoinToken, joinUrl } from '../internal/app/index.js';
import { ConfigError } from '../internal/util/index.js';

export default class AddNode extends Command {
  static override description =
    'Print a one-time token (pinning the cluster CA) and the command that joins a new machine to this cluster. Run it on the first node (it holds the CA key) while its server runs: the token is a bootstrap token, stored as the Secret kube-system/bootstrap-token-<id> (delete it to revoke the token).';

  static override flags = {
    'data-dir': Flags.string({ description: 'data directory of this (first) node', default: './kplane-data' }),
    ttl: Flags.string({ description: 'how long the token stays valid (e.g. 30m, 1h, 2d)', default: '1h' }),
    reusable: Flags.boolean({ description: 'the token admits any number of nodes until it expires (for scripted installs); default: one node', default: false }),
    server: Flags.string({ description: 'URL the new node reaches this one by (default: the one this node advertises, DATA_DIR/api-url)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AddNode);
    const ttlMs = parseDuration(flags.ttl);
    const token = await createJoinToken(flags['data-dir'], ttlMs, Date.now(), { reusable: flags.reusable });
    const url = flags.server ?? joinUrl(flags['data-dir']);
    const until = new Date(Date.now() + ttlMs).toISOString().replace(/\.\d+Z$/, 'Z');
    const use = flags.reusable ? 'reusable: any number of nodes may join with it' : 'single use: one node joins with it; a join that fails before it is admitted leaves it valid';
    this.log(`Token (valid for ${flags.ttl}, until ${until}; ${use}):\n  ${token}\n`);
    this.log('On the new machine run:');
    this.log(`  kplane server --join ${url} --token ${token} [--advertise-address ITS-ADDRESS] [--data-dir DIR] [--listen HOST:PORT] [--peer-listen HOST:PORT]`);
    this.log('The new node advertises --advertise-address, else the --listen host (when not 0.0.0.0), else its first network address; the cluster must reach that address on the peer port (the API port + 1 unless --peer-listen says otherwise).');
  }
}

export function parseDuration(s: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(s);
  if (!m) throw new ConfigError(`--ttl must look like 30m, 1h or 2d, got "${s}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
