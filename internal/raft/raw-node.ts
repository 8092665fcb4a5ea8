import { AssertionError } from '../util/index.js';
import type { Config } from './config.js';
import type { RaftCore } from './core.js';

/** Builds a RaftCore from a validated Config. Throws ConfigError on bad options. */
export function createRaft(_config: Config): RaftCore {
  throw new AssertionError('raft: createRaft is being implemented (types are stable)');
}
