import { describe, expect, it } from 'vitest';
import { isApiError } from '../api/index.js';
import { deleteParams, isWatchRequest, listParams, parseBool, validateListParams, watchParams, writeParams } from './query.js';

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isApiError(e)) return `${e.code} ${e.reason}`;
    throw e;
  }
  return undefined;
}

describe('query parsing', () => {
  it('parses booleans case-insensitively (Python sends watch=True)', () => {
    for (const v of ['true', 'True', 'TRUE', '1', 't']) expect(parseBool(v, 'watch')).toBe(true);
    for (const v of ['false', 'False', '0']) expect(parseBool(v, 'watch')).toBe(false);
    expect(parseBool('', 'watch')).toBeUndefined();
    expect(isWatchRequest({ watch: 'True' })).toBe(true);
    expect(isWatchRequest({})).toBe(false);
    expect(reasonOf(() => parseBool('yes', 'watch'))).toBe('400 BadRequest');
  });

  it('reads list parameters and rejects bad integers', () => {
    expect(listParams({ labelSelector: 'a=b', limit: '500', resourceVersion: '0', continue: 'tok' })).toEqual({
      labelSelector: 'a=b', limit: 500, resourceVersion: '0', continue: 'tok',
    });
    expect(listParams({ limit: '0' })).toEqual({});
    expect(reasonOf(() => listParams({ limit: 'x' }))).toBe('400 BadRequest');
  });

  it('validates resourceVersionMatch on lists like ListOptions validation', () => {
    expect(reasonOf(() => validateListParams({ resourceVersionMatch: 'NotOlderThan' }, undefined))).toBe('422 Invalid');
    expect(reasonOf(() => validateListParams({ resourceVersionMatch: 'Exact', resourceVersion: '0' }, undefined))).toBe('422 Invalid');
    expect(reasonOf(() => validateListParams({ resourceVersionMatch: 'Bogus', resourceVersion: '5' }, undefined))).toBe('422 Invalid');
    expect(reasonOf(() => validateListParams({ resourceVersionMatch: 'Exact', resourceVersion: '5' }, undefined))).toBeUndefined();
  });

  it('rejects resourceVersionMatch on a watch without sendInitialEvents (422, client-go falls back)', () => {
    let err: unknown;
    try {
      watchParams({ watch: '1', resourceVersionMatch: 'NotOlderThan' });
    } catch (e) {
      err = e;
    }
    expect(isApiError(err, 'Invalid')).toBe(true);
    expect((err as Error).message).toContain('ListOptions.meta.k8s.io "" is invalid');
    expect((err as Error).message).toContain('resourceVersionMatch is forbidden for watch');
  });

  it('accepts a well-formed watch-list request', () => {
    expect(watchParams({ sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: 'true', timeoutSeconds: '30' })).toEqual({
      sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, timeoutSeconds: 30,
    });
    expect(reasonOf(() => watchParams({ sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan' }))).toBe('422 Invalid');
  });

  it('reads write parameters', () => {
    expect(writeParams({ dryRun: 'All', fieldManager: 'kubectl-create', fieldValidation: 'Strict' })).toEqual({
      dryRun: true, fieldManager: 'kubectl-create', fieldValidation: 'Strict',
    });
    expect(reasonOf(() => writeParams({ dryRun: 'Some' }))).toBe('400 BadRequest');
    expect(reasonOf(() => writeParams({ fieldValidation: 'strict' }))).toBe('400 BadRequest');
  });

  it('merges DeleteOptions from query and body, the body winning', () => {
    expect(deleteParams({ gracePeriodSeconds: '5', propagationPolicy: 'Orphan' }, undefined)).toEqual({ gracePeriodSeconds: 5, propagationPolicy: 'Orphan' });
    expect(
      deleteParams({ propagationPolicy: 'Orphan' }, { propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1', resourceVersion: '7' }, dryRun: ['All'] }),
    ).toEqual({ propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1', resourceVersion: '7' }, dryRun: true });
    expect(deleteParams({}, { orphanDependents: true })).toEqual({ propagationPolicy: 'Orphan' });
    expect(reasonOf(() => deleteParams({}, { propagationPolicy: 'Sideways' }))).toBe('422 Invalid');
  });
});
