// The workload controllers as plugins: each a leader-elected control loop with its own Lease.
import type { Plugin } from '../../../internal/plugin/index.js';
import { cronJobPlugin } from '../cronjob/plugin.js';
import { daemonSetPlugin } from '../daemonset/plugin.js';
import { deploymentPlugin } from '../deployment/plugin.js';
import { hpaPlugin } from '../hpa/plugin.js';
import { jobPlugin } from '../job/plugin.js';
import { replicaSetPlugin, replicationControllerPlugin } from '../replicaset/plugin.js';
import { statefulSetPlugin } from '../statefulset/plugin.js';

export function workloadPlugins(): Plugin[] {
  return [deploymentPlugin(), replicaSetPlugin(), replicationControllerPlugin(), statefulSetPlugin(), daemonSetPlugin(), jobPlugin(), cronJobPlugin(), hpaPlugin()];
}
