import { createInterface } from 'node:readline/promises';
import { Flags } from '@oclif/core';
import { SURVIVOR_GUIDANCE, describeRecovery, inspectNode, recoverNode } from '../internal/app/index.js';
import { OpsCommand } from './ops-command.js';

export default class Recover extends OpsCommand {
  static override summary = 'Offline: make this surviving node a one-voter cluster with all its data after quorum is lost for good (backs up first; --dry-run to inspect).';

  static override description =
    'Every entry of its log is kept and committed at the next start; the membership is rewritten to this node alone, so the dead members are not needed. The data dir is first copied to DATA_DIR.backup-<time>. Run --dry-run on every survivor and recover the most advanced one (highest last log term, then last log index); wipe the others and join them again.';

  static override flags = {
    'data-dir': Flags.string({ description: 'data directory of the surviving node (its server must be stopped)', default: './kplane-data' }),
    'dry-run': Flags.boolean({ description: 'only show the node\'s log position, configuration and what recovery would do; change nothing', default: false }),
    'backup-dir': Flags.string({ description: 'folder to put the copy of the data dir in (default: beside the data dir); must be writable' }),
    yes: Flags.boolean({ char: 'y', description: 'do not ask for confirmation', default: false }),
    output: Flags.string({ char: 'o', description: 'output format of --dry-run', options: ['text', 'json'], default: 'text' }),
  };

  static override examples = ['kplane recover --dry-run --data-dir /var/lib/kplane', 'kplane recover --data-dir /var/lib/kplane --yes'];

  async run(): Promise<void> {
    const { flags } = await this.parse(Recover);
    const dir = flags['data-dir'];
    const report = inspectNode(dir);
    if (flags['dry-run'] && flags.output === 'json') return this.log(JSON.stringify(report, null, 2));
    for (const line of describeRecovery(report)) this.log(line);
    this.log('');
    for (const line of SURVIVOR_GUIDANCE) this.log(line);
    if (flags['dry-run']) return;
    if (report.refusal) this.error(report.refusal, { exit: 2 });
    if (!flags.yes) {
      if (!process.stdin.isTTY) this.error('not confirmed: pass --yes (stdin is not a terminal)', { exit: 2 });
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`\nRecover node ${report.nodeId} as a one-voter cluster? Type "yes" to continue: `);
      rl.close();
      if (answer.trim() !== 'yes') this.error('aborted; nothing was changed', { exit: 1 });
    }
    const r = recoverNode(dir, { backupDir: flags['backup-dir'] });
    this.log('');
    this.log(`backed up ${dir} to ${r.backup}`);
    this.log(`node ${report.nodeId} is now the only voter: log committed through index ${r.recovery.commit} in term ${r.recovery.term} (last index was ${r.recovery.before.lastIndex}, commit ${r.recovery.before.commit})`);
    this.log(`new cluster id ${r.clusterId}: the old members are refused by it if started with their old data`);
    this.log('Start its server as before (same flags); it elects itself and serves all its data.');
    this.log('Wipe the data dirs of the old members before reusing those machines, and join them with `kplane add-node`.');
  }
}
