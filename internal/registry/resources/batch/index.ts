import type { ResourceDefinition } from '../../definition.js';
import { cronJobDefinition } from './cronjob.js';
import { jobDefinition } from './job.js';

export function batchDefinitions(): ResourceDefinition[] {
  return [cronJobDefinition(), jobDefinition()];
}
