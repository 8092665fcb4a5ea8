import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SELECTABLE_FIELDS,
  checkSelectableFields,
  escapeFieldValue,
  parseFieldSelector,
  unescapeFieldValue,
} from './field-selector.js';
import { isSelectorError } from './selector-error.js';

function err(fn: () => unknown, code = 'InvalidFieldSelector'): string {
  try {
    fn();
  } catch (e) {
    expect(isSelectorError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    return (e as Error).message;
  }
  throw new Error('expected a SelectorError');
}

describe('parseFieldSelector', () => {
  const pod = { 'metadata.name': 'p1', 'metadata.namespace': 'default', 'spec.nodeName': 'n1', 'status.phase': 'Running' };

  it('empty selects everything', () => {
    expect(parseFieldSelector('').empty).toBe(true);
    expect(parseFieldSelector(',').empty).toBe(true);
    expect(parseFieldSelector('').matches(pod)).toBe(true);
  });

  it('=, == and != ; comma is AND', () => {
    expect(parseFieldSelector('metadata.name=p1').matches(pod)).toBe(true);
    expect(parseFieldSelector('metadata.name==p1').matches(pod)).toBe(true);
    expect(parseFieldSelector('metadata.name=p2').matches(pod)).toBe(false);
    expect(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed,status.phase!=Succeeded').matches(pod)).toBe(true);
    expect(parseFieldSelector('spec.nodeName=n1,status.phase!=Running').matches(pod)).toBe(false);
  });

  it('a missing field is the empty string (spec.nodeName= selects unscheduled pods)', () => {
    expect(parseFieldSelector('spec.nodeName=').matches({ 'metadata.name': 'x' })).toBe(true);
    expect(parseFieldSelector('spec.nodeName!=').matches({ 'metadata.name': 'x' })).toBe(false);
    expect(parseFieldSelector('involvedObject.namespace=').matches({ 'involvedObject.namespace': '' })).toBe(true);
  });

  it('splits on the first operator; != and == win over = at the same position', () => {
    expect(parseFieldSelector('a!=b').requirements).toEqual([{ field: 'a', operator: '!=', value: 'b' }]);
    expect(parseFieldSelector('a==b').requirements).toEqual([{ field: 'a', operator: '==', value: 'b' }]);
    expect(parseFieldSelector('a=\\=b').requirements).toEqual([{ field: 'a', operator: '=', value: '=b' }]);
  });

  it('sorts terms and keeps the field text untrimmed', () => {
    expect(parseFieldSelector('b=1,a=2').requirements.map((r) => r.field)).toEqual(['a', 'b']);
    expect(parseFieldSelector('a =1').requirements[0]!.field).toBe('a ');
  });

  it('unescapes \\, \\= and \\\\ in values and keeps escaped commas in one term', () => {
    const q = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d,x=y');
    expect(q.requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'a,b=c\\d' },
      { field: 'x', operator: '=', value: 'y' },
    ]);
    expect(q.matches({ 'metadata.name': 'a,b=c\\d', x: 'y' })).toBe(true);
    expect(q.toString()).toBe('metadata.name=a\\,b\\=c\\\\d,x=y');
  });

  it('requiresExactMatch finds = and == terms only', () => {
    const q = parseFieldSelector('metadata.name=p1,status.phase!=Failed');
    expect(q.requiresExactMatch('metadata.name')).toBe('p1');
    expect(q.requiresExactMatch('status.phase')).toBeUndefined();
  });

  it('errors with upstream messages', () => {
    expect(err(() => parseFieldSelector('foo'))).toBe("invalid selector: 'foo'; can't understand 'foo'");
    expect(err(() => parseFieldSelector('a=1,foo'))).toBe("invalid selector: 'a=1,foo'; can't understand 'foo'");
    expect(err(() => parseFieldSelector('a=b=c'))).toBe('invalid field selector: unescaped character in value: 61');
    expect(err(() => parseFieldSelector('a=\\x'))).toBe('invalid field selector: invalid escape sequence: \\x');
    expect(err(() => parseFieldSelector('a=b\\'))).toBe('invalid field selector: invalid escape sequence: \\');
  });
});

describe('escape helpers', () => {
  it('round-trips', () => {
    for (const v of ['', 'plain', 'a,b', 'x=y', 'back\\slash', ',=\\']) expect(unescapeFieldValue(escapeFieldValue(v))).toBe(v);
    expect(escapeFieldValue('a,b=c\\')).toBe('a\\,b\\=c\\\\');
  });
});

describe('checkSelectableFields', () => {
  it('accepts allowed fields', () => {
    expect(() => checkSelectableFields(parseFieldSelector('metadata.name=x'), DEFAULT_SELECTABLE_FIELDS)).not.toThrow();
  });
  it('default-only kinds use the generic upstream message', () => {
    expect(err(() => checkSelectableFields(parseFieldSelector('data.a=1'), DEFAULT_SELECTABLE_FIELDS), 'UnsupportedField')).toBe(
      '"data.a" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
  it('kinds with their own list say "field label not supported"', () => {
    const podFields = [...DEFAULT_SELECTABLE_FIELDS, 'spec.nodeName', 'status.phase'];
    expect(() => checkSelectableFields(parseFieldSelector('spec.nodeName=n'), podFields)).not.toThrow();
    expect(err(() => checkSelectableFields(parseFieldSelector('spec.foo=n'), podFields), 'UnsupportedField')).toBe('field label not supported: spec.foo');
  });
});
