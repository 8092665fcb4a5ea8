import { describe, expect, it } from 'vitest';
import { type NodeSelectorTerm, type Taint, type Toleration, nodeRequirementMatches, nodeSelectorTermMatches, podFitsNodeSelector, tolerates } from './node-selector.js';

describe('nodeRequirementMatches', () => {
  const cases: [operator: string, values: string[] | undefined, value: string | undefined, want: boolean][] = [
    ['In', ['a', 'b'], 'b', true],
    ['In', ['a'], 'c', false],
    ['In', ['a'], undefined, false],
    ['NotIn', ['a'], 'b', true],
    ['NotIn', ['a'], 'a', false],
    ['NotIn', ['a'], undefined, true],
    ['Exists', undefined, '', true],
    ['Exists', undefined, undefined, false],
    ['DoesNotExist', undefined, undefined, true],
    ['DoesNotExist', undefined, 'x', false],
    ['Gt', ['5'], '6', true],
    ['Gt', ['5'], '5', false],
    ['Lt', ['5'], '4', true],
    ['Lt', ['5'], '-7', true],
    ['Gt', ['5'], '+7', true],
    // Both sides must be whole base-10 integers (Go's strconv.ParseInt), else no match.
    ['Gt', ['5'], '10abc', false],
    ['Gt', ['5'], '1e3', false],
    ['Gt', ['-1'], '', false],
    ['Gt', ['5'], ' 7', false],
    ['Gt', ['5'], '7.5', false],
    ['Lt', ['x'], '1', false],
    ['Gt', ['5'], undefined, false],
    // Exactly one value.
    ['Gt', ['1', '2'], '3', false],
    ['Gt', [], '3', false],
    // int64 exactly: beyond 2^53 and at the edges.
    ['Gt', ['9223372036854775806'], '9223372036854775807', true],
    ['Lt', ['9007199254740993'], '9007199254740992', true],
    ['Gt', ['1'], '9223372036854775808', false],
    ['Lt', ['0'], '-9223372036854775808', true],
    ['Equals', ['a'], 'a', false],
  ];
  for (const [operator, values, value, want] of cases) {
    it(`${JSON.stringify(value)} ${operator} ${JSON.stringify(values)} → ${want}`, () => {
      expect(nodeRequirementMatches({ key: 'k', operator, ...(values ? { values } : {}) }, value)).toBe(want);
    });
  }
});

describe('nodeSelectorTermMatches and podFitsNodeSelector', () => {
  const node = { name: 'n1', labels: { zone: 'z1', cores: '8' } };
  const terms: [what: string, term: NodeSelectorTerm, want: boolean][] = [
    ['an empty term matches nothing', {}, false],
    ['empty lists match nothing', { matchExpressions: [], matchFields: [] }, false],
    ['every expression must match', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'cores', operator: 'Gt', values: ['4'] }] }, true],
    ['one failing expression fails the term', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'cores', operator: 'Lt', values: ['4'] }] }, false],
    ['matchFields metadata.name', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }, true],
    ['matchFields another name', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }, false],
    ['matchFields of an unknown field', { matchFields: [{ key: 'spec.podCIDR', operator: 'In', values: ['x'] }] }, false],
    ['fields and expressions together', { matchExpressions: [{ key: 'zone', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] }, true],
  ];
  for (const [what, term, want] of terms) it(what, () => expect(nodeSelectorTermMatches(term, node)).toBe(want));

  it('nodeSelector labels must all be equal; required terms are ORed; an empty list matches no node', () => {
    expect(podFitsNodeSelector(undefined, undefined, node)).toBe(true);
    expect(podFitsNodeSelector({ zone: 'z1' }, undefined, node)).toBe(true);
    expect(podFitsNodeSelector({ zone: 'z1', disk: 'ssd' }, undefined, node)).toBe(false);
    const z2 = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] };
    const z1 = { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] };
    expect(podFitsNodeSelector({}, [z2], node)).toBe(false);
    expect(podFitsNodeSelector({}, [z2, z1], node)).toBe(true);
    expect(podFitsNodeSelector({ zone: 'z2' }, [z1], node)).toBe(false);
    expect(podFitsNodeSelector({}, [], node)).toBe(false);
  });
});

describe('tolerates', () => {
  const taint: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
  const cases: [what: string, t: Toleration, want: boolean][] = [
    ['equal key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }, true],
    ['operator defaults to Equal', { key: 'dedicated', value: 'db' }, true],
    ['another value', { key: 'dedicated', operator: 'Equal', value: 'web' }, false],
    ['Exists on the key, any effect', { key: 'dedicated', operator: 'Exists' }, true],
    ['another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    ['empty key with Exists tolerates everything', { operator: 'Exists' }, true],
    ['empty key without Exists tolerates nothing', { value: 'db' }, false],
    ['another key', { key: 'other', operator: 'Exists' }, false],
    ['an unknown operator tolerates nothing', { key: 'dedicated', operator: 'Matches', value: 'db' }, false],
  ];
  for (const [what, t, want] of cases) it(what, () => expect(tolerates(t, taint)).toBe(want));
});
