import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type KubeObject } from '../../api/index.js';
import type { PatchType } from '../request.js';
import { deployments } from '../testing/fixtures.js';
import { createTestRegistry, type TestRegistry } from '../testing/test-registry.js';

const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns' } as const;

let r: TestRegistry;
afterEach(async () => r?.close());

// Malformed or inapplicable patches of every type: a 4xx Status (never a 500), nothing written.
const CASES: [string, PatchType, unknown, number, { fieldManager?: string; force?: boolean }?][] = [
  ['merge patch that is not an object', 'merge', [1, 2], 400],
  ['json patch that is not a list', 'json', { op: 'add' }, 400],
  ['json patch with an unknown op', 'json', [{ op: 'bogus', path: '/spec' }], 400],
  ['json patch whose test fails', 'json', [{ op: 'test', path: '/spec/replicas', value: 9 }, { op: 'replace', path: '/spec/replicas', value: 9 }], 422],
  ['json patch removing a missing path', 'json', [{ op: 'remove', path: '/spec/nope' }], 422],
  ['json patch turning the object into a scalar', 'json', [{ op: 'replace', path: '', value: 5 }], 422],
  ['strategic patch with an unknown directive', 'strategic', { spec: { $patch: 'bogus' } }, 400],
  ['strategic patch with a list item lacking its merge key', 'strategic', { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 422],
  ['strategic patch that is not an object', 'strategic', [], 400],
  ['apply without a fieldManager', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, 422],
  ['apply of another kind', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' } }, 400, { fieldManager: 'm' }],
  ['apply of a list', 'apply', [1], 400, { fieldManager: 'm' }],
  ['apply renaming the object', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other' } }, 400, { fieldManager: 'm' }],
  ['force on a merge patch', 'merge', { spec: { replicas: 2 } }, 422, { force: true }],
  ['merge patch failing validation', 'merge', { spec: { replicas: -1 } }, 422],
  ['merge patch giving a field the wrong JSON type', 'merge', { spec: { replicas: 'two' } }, 422],
  ['apply giving a field the wrong JSON type', 'apply', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { paused: 'yes' } }, 400, { fieldManager: 'm' }],
];

describe('malformed patches', () => {
  it.each(CASES)('%s → %i, nothing written', async (_name, patchType, patch, code, params = {}) => {
    r = createTestRegistry([deployments]);
    const body = { metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } };
    const before = await r.obj({ ...DEPLOY, verb: 'create', body, params: {} });
    let err: unknown;
    try {
      await r.call({ ...DEPLOY, verb: 'patch', name: 'web', patchType, patch, params });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(code);
    const after = await r.obj({ ...DEPLOY, verb: 'get', name: 'web', params: {} });
    expect(after.metadata.resourceVersion).toBe((before as KubeObject).metadata.resourceVersion);
  });
});
