import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import { ItemJsonMemo, itemJson as itemJsonOf } from './item-json.js';

const itemJson = (x: unknown) => String(itemJsonOf(x));

const stored = (name: string, frozen = true): KubeObject => {
  const o = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: '5' }, data: { k: 'v' } };
  return frozen ? Object.freeze(o) : o;
};
const itemOf = (o: KubeObject) => {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
};

describe('list item JSON memo', () => {
  it('gives JSON.stringify text (as UTF-8 bytes), made once per stored object and reused by later lists', () => {
    const memo = new ItemJsonMemo();
    const s = stored('a');
    const first = itemOf(s);
    memo.note(first, s);
    expect(itemJson(first)).toBe(JSON.stringify(first));
    // A later list makes a new item from the same stored object: the text made before is served.
    const later = { ...itemOf(s), marker: 'not from the memo' };
    memo.note(later, s);
    expect(itemJson(later)).toBe(JSON.stringify(first));
  });

  it('a new stored object (a write) gets its own bytes', () => {
    const memo = new ItemJsonMemo();
    const a = stored('a');
    const b = Object.freeze({ ...a, data: { k: 'changed' } });
    const ia = itemOf(a);
    const ib = itemOf(b);
    memo.note(ia, a);
    memo.note(ib, b);
    expect(itemJson(ia)).toBe(JSON.stringify(ia));
    expect(itemJson(ib)).toBe(JSON.stringify(ib));
  });

  it('does not remember items of stored objects that are not frozen (private copies may change)', () => {
    const memo = new ItemJsonMemo();
    const s = stored('a', false);
    const first = itemOf(s);
    memo.note(first, s);
    expect(itemJson(first)).toBe(JSON.stringify(first));
    const later = { ...itemOf(s), marker: 'x' };
    memo.note(later, s);
    expect(itemJson(later)).toBe(JSON.stringify(later));
  });

  it('items no list noted, and non-objects, are encoded as JSON.stringify does (undefined → null)', () => {
    expect(itemJson({ a: 1 })).toBe('{"a":1}');
    expect(itemJson('x')).toBe('"x"');
    expect(itemJson(undefined)).toBe('null');
  });

  it('starts afresh past its character budget', () => {
    const memo = new ItemJsonMemo(120); // bytes
    const a = stored('a');
    const b = stored('b');
    const ia = itemOf(a);
    memo.note(ia, a);
    const text = itemJson(ia);
    expect(text.length).toBeGreaterThan(60);
    memo.note(itemOf(b), b);
    itemJson(itemOf(b)); // not noted: no memo use
    const ib = itemOf(b);
    memo.note(ib, b);
    itemJson(ib); // over the budget: every memo restarts
    const again = { ...itemOf(a), marker: 'fresh' };
    memo.note(again, a);
    expect(itemJson(again)).toBe(JSON.stringify(again));
  });
});
