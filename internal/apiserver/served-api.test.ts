import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinSchema } from '../api/index.js';
import { builtinDefinitions, crdDefinition } from '../registry/index.js';
import { packageRoot } from '../util/index.js';
import { apiResourceListDoc } from './discovery.js';
import { columnsFor } from './table.js';
import { allUpstream } from '../registry/resources/upstream/index.js';

// Walks every resource of the vendored 1.33 OpenAPI document (only the group-versions a default
// 1.33 server serves are vendored) and checks kplane serves it as upstream publishes it: discovery
// lists it with upstream's verbs and subresources, its kind has the vendored schema, and its Table
// has upstream's columns. Creating a minimal valid object of every served resource is the generic
// resource suite (internal/registry/resources/resource-tests.test.ts), one case per definition.

/** Served by the authentication/authorization module (the auth work), not by resource definitions. */
const REVIEWS = new Set([
  'authentication.k8s.io/v1/tokenreviews', 'authentication.k8s.io/v1/selfsubjectreviews',
  'authorization.k8s.io/v1/localsubjectaccessreviews', 'authorization.k8s.io/v1/selfsubjectaccessreviews',
  'authorization.k8s.io/v1/selfsubjectrulesreviews', 'authorization.k8s.io/v1/subjectaccessreviews',
]);

/**
 * Not resource definitions of the registry: pods/binding replaces the deprecated bindings; the
 * composition root (internal/app) serves componentstatuses from its probe of Leases and datastore.
 */
const NOT_SERVED = new Set(['v1/bindings', 'v1/componentstatuses']);

/** group/version/plural of every top-level resource in the vendored v2 paths (a list or create path). */
function vendoredResources(): string[] {
  const doc = JSON.parse(readFileSync(join(packageRoot(), 'third_party', 'kubernetes', 'openapi', 'v2.json'), 'utf8')) as { paths: Record<string, Record<string, { 'x-kubernetes-action'?: string }>> };
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const p = path.split('/').filter(Boolean);
    const [gv, rest] = p[0] === 'api' ? [p[1], p.slice(2)] : [`${p[1]}/${p[2]}`, p.slice(3)];
    const tail = rest[0] === 'namespaces' && rest[1] === '{namespace}' ? rest.slice(2) : rest;
    if (tail.length !== 1 || tail[0] === 'watch') continue;
    if (Object.values(item).some((op) => op['x-kubernetes-action'] === 'list' || op['x-kubernetes-action'] === 'post')) out.add(`${gv}/${tail[0]}`);
  }
  return [...out].sort();
}

describe('the vendored 1.33 API, walked', () => {
  const defs = [...builtinDefinitions(), crdDefinition];
  const resources = vendoredResources();
  const key = (d: { group: string; version: string; plural: string }) => `${d.group ? `${d.group}/` : ''}${d.version}/${d.plural}`;

  it('covers the default group-versions', () => {
    expect(resources.length).toBeGreaterThan(60);
    expect(resources).toEqual(expect.arrayContaining(['v1/pods', 'networking.k8s.io/v1/ipaddresses', 'admissionregistration.k8s.io/v1/validatingadmissionpolicies']));
    expect(resources.some((r) => /v1beta|v1alpha/.test(r))).toBe(false);
  });

  it.each(resources.filter((r) => !REVIEWS.has(r) && !NOT_SERVED.has(r)))('%s: defined, in discovery with upstream verbs and subresources, with its schema and Table columns', (r) => {
    const def = defs.find((d) => key(d) === r);
    expect(def, `${r} is not served`).toBeDefined();
    const up = allUpstream().find((u) => key(u) === r)!;
    const list = apiResourceListDoc(defs, def!.group, def!.version)!;
    const names = (list.resources as { name: string; verbs: string[] }[]).map((x) => x.name);
    expect(names).toContain(def!.plural);
    expect((list.resources as { name: string; verbs: string[] }[]).find((x) => x.name === def!.plural)!.verbs).toEqual(up.verbs);
    for (const s of up.subresources) expect(names, `${r}/${s.name}`).toContain(`${def!.plural}/${s.name}`);
    expect(builtinSchema({ group: def!.group, version: def!.version, kind: def!.kind }), `${r} schema`).toBeDefined();
    // The columns the Table handler serves (Name first when a definition leaves it out).
    if (up.columns.length > 0) expect(columnsFor(def!).map((c) => c.name)).toEqual(up.columns.map((c) => c.name));
  });

  it('leaves out only the review resources (the auth module) and the two deprecated ones', () => {
    expect(resources.filter((r) => !defs.some((d) => key(d) === r))).toEqual([...REVIEWS, ...NOT_SERVED].filter((r) => resources.includes(r)).sort());
  });
});
