import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResourceDefinition } from '../registry/index.js';
import { aggregatedDiscoveryDoc, etagMatches, etagOf } from './aggregated-discovery.js';
import { apiGroupDoc, apiGroupListDoc, apiResourceListDoc } from './discovery.js';
import { def } from './testing/fakes.js';

const REF = join(__dirname, 'testdata', 'discovery');
const ref = (f: string) => JSON.parse(readFileSync(join(REF, f), 'utf8'));

interface RefResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

/** Definitions rebuilt from a captured APIResourceList, so the builder can be checked against it. */
function defsFromReference(groupVersion: string, resources: RefResource[]): ResourceDefinition[] {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  const mains = resources.filter((r) => !r.name.includes('/'));
  return mains.map((r) =>
    def({
      group: group!,
      version: version!,
      kind: r.kind,
      plural: r.name,
      singular: r.singularName,
      namespaced: r.namespaced,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
      subresources: resources
        .filter((s) => s.name.startsWith(`${r.name}/`))
        .map((s) => ({ name: s.name.split('/')[1]!, verbs: s.verbs, kind: { group: s.group ?? group!, version: s.version ?? version!, kind: s.kind } })),
    }),
  );
}

function referenceDefinitions(): ResourceDefinition[] {
  const core = ref('api__v1.json');
  const defs = defsFromReference(core.groupVersion, core.resources);
  for (const g of ref('apis.json').groups) {
    for (const v of g.versions) {
      const doc = ref(`apis__${g.name}__${v.version}.json`);
      defs.push(...defsFromReference(doc.groupVersion, doc.resources));
    }
  }
  return defs;
}

const strip = (rs: RefResource[]) => rs.map(({ storageVersionHash: _h, ...r }) => r);

describe('legacy discovery against kube-apiserver 1.26 captures', () => {
  const defs = referenceDefinitions();

  it('reproduces /api/v1 and every /apis/<g>/<v> APIResourceList (names, kinds, verbs, shortNames, categories, cross-group subresources)', () => {
    const core = ref('api__v1.json');
    expect(strip(apiResourceListDoc(defs, '', 'v1')!.resources as RefResource[])).toEqual(strip(core.resources));
    for (const g of ref('apis.json').groups) {
      for (const v of g.versions) {
        const want = ref(`apis__${g.name}__${v.version}.json`);
        const got = apiResourceListDoc(defs, g.name, v.version)!;
        expect(got.groupVersion).toBe(want.groupVersion);
        expect(got.kind).toBe('APIResourceList');
        expect(strip(got.resources as RefResource[])).toEqual(strip(want.resources));
      }
    }
  });

  it('reproduces /apis, including preferred versions (autoscaling v2, flowcontrol v1beta3)', () => {
    expect(apiGroupListDoc(defs)).toEqual(ref('apis.json'));
    expect(apiGroupDoc(defs, 'autoscaling')).toMatchObject({ kind: 'APIGroup', name: 'autoscaling', preferredVersion: { groupVersion: 'autoscaling/v2' } });
    expect(apiGroupDoc(defs, 'nope')).toBeUndefined();
    expect(apiResourceListDoc(defs, 'apps', 'v9')).toBeUndefined();
  });
});

describe('aggregated discovery', () => {
  const defs = referenceDefinitions();

  it('serves the core group alone on /api with empty group name', () => {
    const doc = aggregatedDiscoveryDoc(defs, true, 'v2');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2');
    expect(doc.items).toHaveLength(1);
    expect(doc.items[0]!.metadata.name).toBe('');
    const pods = doc.items[0]!.versions[0]!.resources.find((r) => r.resource === 'pods')!;
    expect(pods).toMatchObject({ scope: 'Namespaced', responseKind: { group: '', version: '', kind: 'Pod' }, shortNames: ['po'], categories: ['all'] });
    expect(pods.subresources).toContainEqual({ subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] });
    expect(pods.subresources).toContainEqual({ subresource: 'status', responseKind: { group: '', version: '', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] });
  });

  it('lists every other group on /apis with versions in preference order', () => {
    const doc = aggregatedDiscoveryDoc(defs, false, 'v2beta1');
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(doc.items.map((i) => i.metadata.name)).toEqual(ref('apis.json').groups.map((g: { name: string }) => g.name));
    const autoscaling = doc.items.find((i) => i.metadata.name === 'autoscaling')!;
    expect(autoscaling.versions.map((v) => v.version)).toEqual(['v2', 'v1']);
    expect(autoscaling.versions[0]!.freshness).toBe('Current');
    const ns = aggregatedDiscoveryDoc(defs, true, 'v2').items[0]!.versions[0]!.resources.find((r) => r.resource === 'namespaces')!;
    expect(ns.scope).toBe('Cluster');
  });

  it('computes stable ETags and matches If-None-Match lists', () => {
    const e = etagOf('{"a":1}');
    expect(e).toBe(etagOf('{"a":1}'));
    expect(e).not.toBe(etagOf('{"a":2}'));
    expect(etagMatches(`"x", ${e}`, e)).toBe(true);
    expect(etagMatches(`W/${e}`, e)).toBe(true);
    expect(etagMatches('"x"', e)).toBe(false);
    expect(etagMatches(undefined, e)).toBe(false);
  });
});

describe('built-in definitions against kube-apiserver 1.26 discovery', () => {
  it('serve the same resource names, kinds, verbs, shortNames and categories for every built-in group-version', async () => {
    const { builtinDefinitions, componentStatusDefinition } = await import('../registry/resources/index.js');
    // componentstatuses: defined by the composition root around its probe; any probe will do here.
    const defs = [componentStatusDefinition(async () => []), ...builtinDefinitions()];
    const served = new Set(defs.map((d) => (d.group ? `${d.group}/${d.version}` : d.version)));
    expect(served.has('v1')).toBe(true);
    const files = ['api__v1.json', ...ref('apis.json').groups.flatMap((g: { name: string; versions: { version: string }[] }) => g.versions.map((v) => `apis__${g.name}__${v.version}.json`))];
    for (const f of files) {
      const want = ref(f);
      if (!served.has(want.groupVersion)) continue;
      const [group, version] = want.groupVersion.includes('/') ? want.groupVersion.split('/') : ['', want.groupVersion];
      const got = apiResourceListDoc(defs, group, version)!;
      const pick = (rs: RefResource[]) => rs.map((r) => ({ name: r.name, kind: r.kind, namespaced: r.namespaced, verbs: [...r.verbs].sort(), shortNames: r.shortNames, categories: r.categories, group: r.group, version: r.version }));
      // Compare what both serve; upstream's deprecated "bindings" (use pods/binding) is the only
      // resource kplane may leave out.
      const names = new Set((got.resources as RefResource[]).map((r) => r.name));
      const missing = want.resources.map((r: RefResource) => r.name).filter((n: string) => !names.has(n) && !n.includes('/'));
      expect(missing.filter((n: string) => n !== 'bindings'), want.groupVersion).toEqual([]);
      const wanted = pick(want.resources).filter((r) => names.has(r.name));
      expect(pick(got.resources as RefResource[]).filter((r) => wanted.some((w) => w.name === r.name)), want.groupVersion).toEqual(wanted);
    }
  });
});
