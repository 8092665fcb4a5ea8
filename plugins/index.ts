// The built-in plugins a node can run (kplane server --plugins). Each plugin lives in its own folder
// and exports a factory; add one import and one entry below. Plugins import only
// internal/{plugin,client,api,util} (test/arch enforces it).
import type { Plugin } from '../internal/plugin/index.js';

/** Fresh instances of every built-in plugin (a node calls this once). */
export function builtinPlugins(): Plugin[] {
  return [];
}
