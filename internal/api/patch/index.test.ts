import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { applyPatch, supportsPatchType } from './index.js';

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('applyPatch', () => {
  it('dispatches merge and json patches', () => {
    expect(applyPatch('merge', { a: 1, b: 2 }, { b: null })).toEqual({ a: 1 });
    expect(applyPatch('json', { a: 1 }, [{ op: 'add', path: '/b', value: 2 }])).toEqual({ a: 1, b: 2 });
    expect(supportsPatchType('json')).toBe(true);
    expect(supportsPatchType('toString')).toBe(false);
  });

  it('answers a failed test with 422 and upstream message', () => {
    const err = apiError(() => applyPatch('json', { a: 1 }, [{ op: 'test', path: '/a', value: 2 }]));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe('the server rejected our request due to an error in our request');
    expect(err.details?.causes?.[0]?.reason).toBe('UnexpectedServerResponse');
  });

  it('answers a bad path with 422 and a malformed patch with 400', () => {
    expect(apiError(() => applyPatch('json', { a: 1 }, [{ op: 'remove', path: '/x/y' }])).code).toBe(422);
    expect(apiError(() => applyPatch('json', { a: 1 }, { op: 'remove' })).code).toBe(400);
    expect(apiError(() => applyPatch('merge', { a: 1 }, [1])).code).toBe(400);
  });

  it('answers an unknown patch type with 415', () => {
    expect(apiError(() => applyPatch('toString', {}, {})).code).toBe(415);
  });

  it('refuses to turn the object into a scalar', () => {
    expect(apiError(() => applyPatch('json', { a: 1 }, [{ op: 'replace', path: '', value: 3 }])).code).toBe(422);
  });
});
