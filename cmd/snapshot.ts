import { Command, Help } from '@oclif/core';

/** `kplane snapshot`: the topic itself (its summary is the topic's line in `kplane --help`); prints the topic's help. */
export default class Snapshot extends Command {
  static override summary = 'Back up (snapshot save, online) and restore (snapshot restore, offline) the raftsqlite datastore.';

  async run(): Promise<void> {
    await new Help(this.config).showHelp(['snapshot']);
  }
}
