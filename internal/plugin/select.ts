import { ConfigError } from '../util/index.js';
import type { Plugin } from './types.js';

/**
 * The plugins a node runs for --plugins, in kube-controller-manager's --controllers syntax:
 * undefined = every plugin whose defaultEnabled is not false; ['none'] = none (a pure API server);
 * otherwise `name` enables a plugin, `-name` disables one and `*` stands for the default set
 * (`*,fencing-probe`, `*,-scheduler`). Unknown names are a ConfigError listing the known ones.
 */
export function selectPlugins(all: Plugin[], names: string[] | undefined): Plugin[] {
  if (names === undefined) return all.filter((p) => p.defaultEnabled !== false);
  const wanted = names.map((n) => n.trim()).filter(Boolean);
  if (wanted.length === 1 && wanted[0] === 'none') return [];
  const unknown = wanted.map((n) => n.replace(/^-/, '')).filter((n) => n !== '*' && !all.some((p) => p.name === n));
  if (unknown.length) throw new ConfigError(`--plugins: unknown plugin ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${all.map((p) => p.name).join(', ') || '(none)'}, "*" (the default set), "-name" (leave one out), or "none"`);
  const star = wanted.includes('*');
  return all.filter((p) => !wanted.includes(`-${p.name}`) && (wanted.includes(p.name) || (star && p.defaultEnabled !== false)));
}
