// internal/plugin: the plugin host (every-replica and leader-elected plugins over one node's shared
// informers) and the Plugin / PluginContext types plugins implement.
// Imports internal/leaderelection, internal/client, internal/api and internal/util only.
export * from './types.js';
export { PluginHost, type PluginHostOptions } from './host.js';
export { selectPlugins } from './select.js';
