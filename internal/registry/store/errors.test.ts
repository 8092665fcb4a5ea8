import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/index.js';
import { StorageError } from '../../storage/index.js';
import { configMaps, deployments } from '../testing/fixtures.js';
import { toApiError } from './errors.js';
import { collectionPrefix, objectKey, resourcePrefix } from './keys.js';

describe('toApiError (the one StorageError → ApiError translation)', () => {
  const cases: [StorageError, number, string, string][] = [
    [new StorageError('KeyNotFound', 'x'), 404, 'NotFound', 'deployments.apps "web" not found'],
    [new StorageError('KeyExists', 'x'), 409, 'AlreadyExists', 'deployments.apps "web" already exists'],
    [
      new StorageError('Conflict', 'x'),
      409,
      'Conflict',
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    ],
    [
      new StorageError('Conflict', 'Precondition failed: UID in precondition: a, UID in object meta: b'),
      409,
      'Conflict',
      'Operation cannot be fulfilled on deployments.apps "web": Precondition failed: UID in precondition: a, UID in object meta: b',
    ],
    [new StorageError('Compacted', 'x', { revision: 1, compactRevision: 948 }), 410, 'Expired', 'too old resource version: 1 (948)'],
    [new StorageError('FutureRevision', 'x', { revision: 99, currentRevision: 5 }), 504, 'Timeout', 'Too large resource version: 99, current: 5'],
    [new StorageError('InvalidArgument', 'invalid continue token'), 400, 'BadRequest', 'invalid continue token'],
    [new StorageError('Corrupt', 'bad bytes'), 500, 'InternalError', 'Internal error occurred: bad bytes'],
    [new StorageError('Unavailable', 'create: no leader accepted the write in time; it was not applied'), 503, 'ServiceUnavailable', 'create: no leader accepted the write in time; it was not applied'],
    [new StorageError('Timeout', 'create: write not applied in time; it may or may not have been applied'), 504, 'Timeout', 'create: write not applied in time; it may or may not have been applied'],
  ];
  it.each(cases)('%s', (err, code, reason, message) => {
    const out = toApiError(err, deployments, 'web');
    expect([out.code, out.reason, out.message]).toEqual([code, reason, message]);
  });

  it('asks clients to retry a 503 after a second (nothing was applied), but not a 504 (outcome unknown)', () => {
    expect(toApiError(new StorageError('Unavailable', 'x'), configMaps).status.details).toEqual({ retryAfterSeconds: 1 });
    expect(toApiError(new StorageError('Timeout', 'x'), configMaps).status.details).toBeUndefined();
  });

  it('gives an expired continue token a fresh continue in the Status', () => {
    const out = toApiError(new StorageError('Compacted', 'x', { continue: 'fresh' }), configMaps, '', { continuing: true });
    expect(out.code).toBe(410);
    expect(out.status.metadata).toEqual({ continue: 'fresh' });
    expect(out.message).toMatch(/^The provided continue parameter is too old/);
  });

  it('passes ApiErrors through and wraps anything else as 500', () => {
    const api = new ApiError('Forbidden', 'no');
    expect(toApiError(api, configMaps)).toBe(api);
    expect(toApiError(new Error('boom'), configMaps).code).toBe(500);
  });
});

describe('storage keys', () => {
  it('puts the group before the resource except for the core group', () => {
    expect(resourcePrefix(configMaps)).toBe('/registry/configmaps/');
    expect(objectKey(configMaps, 'ns', 'c')).toBe('/registry/configmaps/ns/c');
    expect(collectionPrefix(configMaps, 'ns')).toBe('/registry/configmaps/ns/');
    expect(collectionPrefix(configMaps, undefined)).toBe('/registry/configmaps/');
    expect(objectKey(deployments, 'ns', 'web')).toBe('/registry/apps/deployments/ns/web');
    expect(objectKey({ ...deployments, storageGroup: '', storageResource: 'events', namespaced: true }, 'ns', 'e')).toBe('/registry/events/ns/e');
  });
});
