import { describe, expect, it } from 'vitest';
import { createCatalog } from './catalog.js';
import { configMaps, deployments, pods } from './testing/fixtures.js';

describe('createCatalog', () => {
  it('looks up by group, version and plural, keeps order, and notifies on change', () => {
    const catalog = createCatalog([configMaps, deployments]);
    expect(catalog.lookup('apps', 'v1', 'deployments')).toBe(deployments);
    expect(catalog.lookup('', 'v1', 'deployments')).toBeUndefined();
    let calls = 0;
    const off = catalog.onChange(() => calls++);
    catalog.add([pods]);
    expect(catalog.definitions().map((d) => d.plural)).toEqual(['configmaps', 'deployments', 'pods']);
    const replaced = { ...configMaps, shortNames: ['cmx'] };
    catalog.add([replaced]);
    expect(catalog.definitions()[0]).toBe(replaced);
    catalog.remove([{ group: 'apps', version: 'v1', plural: 'deployments' }]);
    catalog.remove([{ group: 'apps', version: 'v1', plural: 'deployments' }]);
    expect(calls).toBe(3);
    off();
    catalog.add([deployments]);
    expect(calls).toBe(3);
  });
});
