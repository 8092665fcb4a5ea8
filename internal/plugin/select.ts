import { ConfigError } from '../util/index.js';
import type { Plugin } from './types.js';

/**
 * The plugins a node runs for --plugins: undefined = every plugin whose defaultEnabled is not false;
 * ['none'] = none (a pure API server); otherwise exactly the names given (unknown names are a
 * ConfigError listing the known ones).
 */
export function selectPlugins(all: Plugin[], names: string[] | undefined): Plugin[] {
  if (names === undefined) return all.filter((p) => p.defaultEnabled !== false);
  const wanted = names.map((n) => n.trim()).filter(Boolean);
  if (wanted.length === 1 && wanted[0] === 'none') return [];
  const unknown = wanted.filter((n) => !all.some((p) => p.name === n));
  if (unknown.length) throw new ConfigError(`--plugins: unknown plugin ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${all.map((p) => p.name).join(', ') || '(none)'}, or "none"`);
  return all.filter((p) => wanted.includes(p.name));
}
