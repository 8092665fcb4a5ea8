// The built-in plugins a node can run (kplane server --plugins). Each plugin lives in its own folder
// and exports a factory; add one import and one entry below. Plugins import only
// internal/{plugin,client,api,util} (test/arch enforces it).
import type { Plugin } from '../internal/plugin/index.js';
import { disruptionPlugin } from './controllers/disruption/plugin.js';
import { housekeepingPlugins, type HousekeepingOptions } from './controllers/housekeeping.js';
import { nodeLifecyclePlugin, type NodeLifecycleOptions } from './controllers/nodelifecycle/plugin.js';
import { hollowNodesPlugin, type HollowNodesOptions } from './hollow-nodes/plugin.js';
import { schedulerPlugin } from './scheduler/plugin.js';
import { workloadPlugins } from './controllers/workloads/index.js';
import { fencingProbe } from './fencing-probe/index.js';

export type { HollowNodesOptions, NodeLifecycleOptions, HousekeepingOptions };
export type { ServedResources, ServedResource, ApiServerAddress, CsrSigner, ParsedRequest } from './controllers/housekeeping.js';
export { CSR_SIGNING } from './controllers/housekeeping.js';

/** Settings of built-in plugins that come from server flags. */
export interface BuiltinPluginOptions {
  /** --hollow-nodes and friends; hollow-nodes runs by default only when count > 0. */
  hollowNodes?: HollowNodesOptions;
  nodeLifecycle?: NodeLifecycleOptions;
  /** What the housekeeping controllers read from the node (served resources, CA, API address); without it they are left out. */
  housekeeping?: HousekeepingOptions;
}

/** Fresh instances of every built-in plugin (a node calls this once). */
export function builtinPlugins(opts: BuiltinPluginOptions = {}): Plugin[] {
  const hollow = opts.hollowNodes ?? { count: 0 };
  return [
    ...(opts.housekeeping ? housekeepingPlugins(opts.housekeeping) : []),
    schedulerPlugin(),
    nodeLifecyclePlugin(opts.nodeLifecycle),
    disruptionPlugin(),
    ...workloadPlugins(),
    { ...hollowNodesPlugin(hollow), defaultEnabled: hollow.count > 0 },
    fencingProbe(),
  ];
}
