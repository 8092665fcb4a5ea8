import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/index.js';
import { type Raw, type Schema, schemaFrom } from './schema.js';

/**
 * Schemas of built-in kinds, from upstream's vendored OpenAPI v3 documents
 * (third_party/kubernetes/openapi/v3). A group-version's document is parsed on first use and kept
 * without descriptions, which are most of its bytes and unneeded for patching and validation.
 */
const byGV = new Map<string, { components: Record<string, Raw>; kinds: Map<string, string> }>();

function docFile(group: string, version: string): string {
  const name = group ? `apis__${group}__${version}.json` : `api__${version}.json`;
  return join(packageRoot(), 'third_party', 'kubernetes', 'openapi', 'v3', name);
}

function stripDescriptions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDescriptions);
  if (!v || typeof v !== 'object') return v;
  const out: Raw = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'description') continue;
    // A properties map is keyed by field names, and "description" may be one (JSONSchemaProps).
    out[k] = k === 'properties' && x && typeof x === 'object' && !Array.isArray(x) ? mapValues(x as Raw, stripDescriptions) : stripDescriptions(x);
  }
  return out;
}

function mapValues(o: Raw, fn: (v: unknown) => unknown): Raw {
  const out: Raw = {};
  for (const [k, x] of Object.entries(o)) out[k] = fn(x);
  return out;
}

function load(group: string, version: string) {
  const key = `${group}/${version}`;
  let hit = byGV.get(key);
  if (hit) return hit;
  let components: Record<string, Raw> = {};
  try {
    const doc = JSON.parse(readFileSync(docFile(group, version), 'utf8')) as { components?: { schemas?: Record<string, Raw> } };
    components = stripDescriptions(doc.components?.schemas ?? {}) as Record<string, Raw>;
  } catch {
    // Not a vendored group-version: no schema (callers treat that as "unknown kind").
  }
  const kinds = new Map<string, string>();
  for (const [name, s] of Object.entries(components)) {
    for (const g of (s['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[] | undefined) ?? []) {
      if (g.group === group && g.version === version) kinds.set(g.kind, name);
    }
  }
  hit = { components, kinds };
  byGV.set(key, hit);
  return hit;
}

/** The schema of a built-in kind, or undefined when upstream has none for it. */
export function builtinSchema(gvk: { group: string; version: string; kind: string }): Schema | undefined {
  const { components, kinds } = load(gvk.group, gvk.version);
  const name = kinds.get(gvk.kind);
  return name ? schemaFrom(components[name]!, components) : undefined;
}

/** The schema of a named definition in a group-version document (e.g. autoscaling/v1 Scale). */
export function namedSchema(group: string, version: string, name: string): Schema | undefined {
  const { components } = load(group, version);
  return components[name] ? schemaFrom(components[name]!, components) : undefined;
}

/** Vendored group-versions, for tests and diagnostics. */
export function vendoredGroupVersions(): string[] {
  return readdirSync(join(packageRoot(), 'third_party', 'kubernetes', 'openapi', 'v3'))
    .filter((f) => f.split('__').length >= 2 && /__v\d/.test(f))
    .map((f) => f.slice(0, -5));
}
