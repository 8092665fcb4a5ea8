import { Command } from '@oclif/core';
import { ConfigError } from '../internal/util/index.js';

/**
 * Base of the operations commands (snapshot save|restore, recover): a ConfigError (server still
 * running, not a raftsqlite data dir, bad snapshot file) is the operator's to fix, so it is printed
 * as a plain error message with exit code 2 rather than as an exception.
 */
export abstract class OpsCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof ConfigError) this.error(err.message, { exit: 2 });
    return super.catch(err);
  }
}
