import { describe, expect, it } from 'vitest';
import { FieldSet } from './fieldset.js';
import { fieldsOf } from './walk.js';

describe('FieldSet', () => {
  it('renders members in sorted order with "." for a member that has children, and drops empty branches', () => {
    const s = new FieldSet();
    s.add(['f:spec', 'f:b']);
    s.add(['f:spec', 'f:a']);
    s.add(['f:metadata', 'f:labels']);
    s.add(['f:metadata', 'f:labels', 'f:x']);
    s.child('f:status').child('f:empty');
    expect(JSON.stringify(s.toFieldsV1())).toBe('{"f:metadata":{"f:labels":{".":{},"f:x":{}}},"f:spec":{"f:a":{},"f:b":{}}}');
    expect(s.render()).toEqual(s.toFieldsV1());
    expect(new FieldSet().render()).toBeUndefined();
    expect(new FieldSet().toFieldsV1()).toEqual({});
  });

  it('round-trips FieldsV1 and keeps "." on a member whose children are all empty', () => {
    const v1 = { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } };
    expect(FieldSet.fromFieldsV1(v1).toFieldsV1()).toEqual(v1);
    const s = new FieldSet();
    s.add(['f:m']);
    s.child('f:m').child('f:gone');
    expect(s.toFieldsV1()).toEqual({ 'f:m': { '.': {} } });
    expect(() => FieldSet.fromFieldsV1({ 'x:bad': {} })).toThrow();
  });

  it('prune leaves exactly the nodes adding its member paths would build', () => {
    const obj = { metadata: { name: 'n', labels: { a: 'b' } }, spec: { s: { onlyNull: null }, list: [] }, data: { k: 'v' } };
    const set = fieldsOf(obj, undefined);
    const built = new FieldSet();
    for (const { path } of set.paths()) built.add(path);
    set.prune();
    const shape = (n: FieldSet): unknown => Object.fromEntries([...n.children].map(([k, c]) => [k, { m: c.member, c: shape(c) }]));
    expect(shape(set)).toEqual(shape(built));
    expect(set.node(['f:data', 'f:k'])?.value).toBe('v');
    expect(set.node(['f:nope'])).toBeUndefined();
  });
});
