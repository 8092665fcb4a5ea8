import { describe, expect, it } from 'vitest';
import { QueryParamError, parseBool } from './query-params.js';

describe('parseBool', () => {
  it('accepts true/false/1/0 in any case (Python sends watch=True)', () => {
    for (const v of ['true', 'True', 'TRUE', '1', 't', 'T']) expect(parseBool(v)).toBe(true);
    for (const v of ['false', 'False', 'FALSE', '0', 'f', 'F']) expect(parseBool(v)).toBe(false);
  });
  it('treats missing and empty as undefined', () => {
    expect(parseBool(undefined)).toBeUndefined();
    expect(parseBool(null)).toBeUndefined();
    expect(parseBool('')).toBeUndefined();
  });
  it('rejects anything else, naming the parameter', () => {
    expect(() => parseBool('yes', 'watch')).toThrow(QueryParamError);
    expect(() => parseBool('yes', 'watch')).toThrow('invalid boolean value for watch: "yes"');
  });
});
