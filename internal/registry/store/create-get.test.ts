import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type KubeObject } from '../../api/index.js';
import { configMaps, deployments, namespaces, clusterThings } from '../testing/fixtures.js';
import { createTestRegistry, type TestRegistry, failure } from '../testing/test-registry.js';

const cm = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' }, ...extra });
const CM = { group: '', version: 'v1', resource: 'configmaps' } as const;
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments' } as const;

let r: TestRegistry;
afterEach(async () => r?.close());

describe('create', () => {
  it('stores the object with server-set metadata and answers 201', async () => {
    r = createTestRegistry([configMaps]);
    const res = await r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm('c1'), params: {} });
    expect(res.code).toBe(201);
    const obj = res.body as KubeObject;
    expect(obj.metadata).toMatchObject({ name: 'c1', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' });
    expect(obj.metadata.uid).toMatch(/^uid-/);
    expect(obj.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(obj.metadata.generation).toBeUndefined();
    expect(obj).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    const got = await r.obj({ ...CM, verb: 'get', namespace: 'ns', name: 'c1', params: {} });
    expect(got).toEqual(obj);
  });

  it('sets generation 1 on kinds with a spec and fills kind/apiVersion', async () => {
    r = createTestRegistry([deployments]);
    const obj = await r.obj({ ...DEPLOY, verb: 'create', namespace: 'ns', body: { metadata: { name: 'web' }, spec: { replicas: 1 } }, params: {} });
    expect(obj.metadata.generation).toBe(1);
    expect(obj.apiVersion).toBe('apps/v1');
    expect(obj.kind).toBe('Deployment');
  });

  it('generates a name from generateName with 5 random characters', async () => {
    r = createTestRegistry([configMaps]);
    const obj = await r.obj({ ...CM, verb: 'create', namespace: 'ns', body: cm('', { metadata: { generateName: 'x-' } }), params: {} });
    expect(obj.metadata.name).toMatch(/^x-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('answers AlreadyExists with the upstream message', async () => {
    r = createTestRegistry([configMaps, deployments]);
    await r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm('c1'), params: {} });
    const err = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm('c1'), params: {} }));
    expect(err.code).toBe(409);
    expect(err.reason).toBe('AlreadyExists');
    expect(err.message).toBe('configmaps "c1" already exists');
    await r.call({ ...DEPLOY, verb: 'create', namespace: 'ns', body: { metadata: { name: 'web' }, spec: {} }, params: {} });
    const err2 = await failure(r.call({ ...DEPLOY, verb: 'create', namespace: 'ns', body: { metadata: { name: 'web' }, spec: {} }, params: {} }));
    expect(err2.message).toBe('deployments.apps "web" already exists');
    expect(err2.details).toEqual({ name: 'web', group: 'apps', kind: 'deployments' });
  });

  it('answers 422 for an invalid name, qualifying the kind with its group', async () => {
    r = createTestRegistry([configMaps, deployments]);
    const err = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm('BAD_NAME'), params: {} }));
    expect(err.code).toBe(422);
    expect(err.message).toMatch(/^ConfigMap "BAD_NAME" is invalid: metadata\.name: Invalid value: "BAD_NAME": a lowercase RFC 1123 subdomain/);
    expect(err.details?.kind).toBe('ConfigMap');
    expect(err.details?.causes?.[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    const err2 = await failure(r.call({ ...DEPLOY, verb: 'create', namespace: 'ns', body: { metadata: { name: 'web' }, spec: { replicas: -1 } }, params: {} }));
    expect(err2.message).toBe('Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(err2.details).toMatchObject({ name: 'web', group: 'apps', kind: 'Deployment' });
  });

  it('requires a name or generateName', async () => {
    r = createTestRegistry([configMaps]);
    const err = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm(''), params: {} }));
    expect(err.message).toBe('ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
  });

  it('refuses a namespace unlike the URL and a preset resourceVersion with 400', async () => {
    r = createTestRegistry([configMaps]);
    const err = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm('c', { metadata: { name: 'c', namespace: 'other' } }), params: {} }));
    expect(err.code).toBe(400);
    expect(err.message).toBe('the namespace of the provided object does not match the namespace sent on the request');
    const err2 = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm('c', { metadata: { name: 'c', resourceVersion: '5' } }), params: {} }));
    expect(err2.code).toBe(400);
  });

  it('refuses a body of another kind or version with 400', async () => {
    r = createTestRegistry([configMaps]);
    const err = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }, params: {} }));
    expect(err.code).toBe(400);
    expect(err.message).toMatch(/^Secret in version "v1" cannot be handled as a ConfigMap/);
    const err2 = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body: { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 's' } }, params: {} }));
    expect(err2.message).toBe('the API version in the data (v2) does not match the expected API version (v1)');
  });

  it('drops the namespace of cluster-scoped objects', async () => {
    r = createTestRegistry([clusterThings]);
    const obj = await r.obj({ group: 'example.com', version: 'v1', resource: 'things', verb: 'create', body: { metadata: { name: 't', namespace: 'x' } }, params: {} });
    expect(obj.metadata.namespace).toBeUndefined();
  });

  it('needs the namespace to exist (404) and not be terminating (403)', async () => {
    r = createTestRegistry([configMaps, namespaces]);
    const err = await failure(r.call({ ...CM, verb: 'create', namespace: 'nons', body: cm('c1'), params: {} }));
    expect(err.code).toBe(404);
    expect(err.message).toBe('namespaces "nons" not found');
    const NS = { group: '', version: 'v1', resource: 'namespaces' } as const;
    await r.call({ ...NS, verb: 'create', body: { metadata: { name: 'termns' } }, params: {} });
    await r.call({ ...CM, verb: 'create', namespace: 'termns', body: cm('x'), params: {} });
    const del = await r.obj({ ...NS, verb: 'delete', name: 'termns', params: {} });
    expect(del.status).toEqual({ phase: 'Terminating' });
    expect(del.metadata.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
    const err2 = await failure(r.call({ ...CM, verb: 'create', namespace: 'termns', body: cm('y'), params: {} }));
    expect(err2.code).toBe(403);
    expect(err2.message).toBe('configmaps "y" is forbidden: unable to create new content in namespace termns because it is being terminated');
  });

  it('refuses to delete an immortal namespace', async () => {
    r = createTestRegistry([namespaces]);
    const NS = { group: '', version: 'v1', resource: 'namespaces' } as const;
    await r.call({ ...NS, verb: 'create', body: { metadata: { name: 'default' } }, params: {} });
    const err = await failure(r.call({ ...NS, verb: 'delete', name: 'default', params: {} }));
    expect(err.code).toBe(403);
    expect(err.message).toBe('namespaces "default" is forbidden: this namespace may not be deleted');
  });
});

describe('get', () => {
  it('answers NotFound with the upstream message and details', async () => {
    r = createTestRegistry([configMaps, deployments]);
    const err = await failure(r.call({ ...CM, verb: 'get', namespace: 'ns', name: 'nope', params: {} }));
    expect(err.code).toBe(404);
    expect(err.message).toBe('configmaps "nope" not found');
    expect(err.details).toEqual({ name: 'nope', kind: 'configmaps' });
    const err2 = await failure(r.call({ ...DEPLOY, verb: 'get', namespace: 'ns', name: 'web', params: {} }));
    expect(err2.message).toBe('deployments.apps "web" not found');
  });

  it('answers 404 for an unknown resource', async () => {
    r = createTestRegistry([configMaps]);
    const err = await failure(r.call({ group: '', version: 'v1', resource: 'secrets', verb: 'get', namespace: 'ns', name: 'x', params: {} }));
    expect(err.code).toBe(404);
    expect(err.message).toBe('the server could not find the requested resource');
  });

  it('answers 504 for a resourceVersion from the future', async () => {
    r = createTestRegistry([configMaps]);
    await r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm('c1'), params: {} });
    const err = await failure(r.call({ ...CM, verb: 'get', namespace: 'ns', name: 'c1', params: { resourceVersion: '99999999' } }));
    expect(err.code).toBe(504);
    expect(err.message).toMatch(/^Too large resource version: 99999999, current: \d+$/);
  });
});

describe('authorization', () => {
  it('denies users outside system:masters with the upstream message', async () => {
    r = createTestRegistry([configMaps]);
    const user = { name: 'u', groups: ['system:authenticated'] };
    const err = await failure(r.call({ ...CM, user, verb: 'get', namespace: 'ns', name: 'x', params: {} }));
    expect(err.code).toBe(403);
    expect(err.message).toBe('configmaps "x" is forbidden: User "u" cannot get resource "configmaps" in API group "" in the namespace "ns"');
    const err2 = await failure(r.call({ ...DEPLOY, user, verb: 'list', params: {} }));
    expect(err2.message).toBe('the server could not find the requested resource');
    r.catalog.add([deployments]);
    const err3 = await failure(r.call({ ...DEPLOY, user, verb: 'list', params: {} }));
    expect(err3.message).toBe('deployments.apps is forbidden: User "u" cannot list resource "deployments" in API group "apps" at the cluster scope');
  });
});

describe('fieldValidation', () => {
  it('Strict refuses unknown metadata fields with 400; Warn reports them', async () => {
    r = createTestRegistry([configMaps]);
    const body = cm('c1', { metadata: { name: 'c1', foo: 'x' } as KubeObject['metadata'] });
    const err = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body, params: { fieldValidation: 'Strict' } }));
    expect(err.code).toBe(400);
    expect(err.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.foo"');
    const res = await r.call({ ...CM, verb: 'create', namespace: 'ns', body, params: { fieldValidation: 'Warn' } });
    expect(res.warnings).toEqual(['unknown field "metadata.foo"']);
  });

  it('uses the injected checker for built-in bodies', async () => {
    r = createTestRegistry([configMaps], { unknownFields: (_def, obj) => (obj.bogus !== undefined ? ['bogus'] : []) });
    const err = await failure(r.call({ ...CM, verb: 'create', namespace: 'ns', body: cm('c1', { bogus: 1 }), params: { fieldValidation: 'Strict' } }));
    expect(err.message).toMatch(/unknown field "bogus"$/);
  });
});
