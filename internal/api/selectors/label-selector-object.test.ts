import { describe, expect, it } from 'vitest';
import { labelQueryFromSet, labelSelectorAsQuery } from './label-selector-object.js';
import { isSelectorError } from './selector-error.js';

describe('labelSelectorAsQuery (metav1.LabelSelector)', () => {
  it('null/undefined selects nothing; {} selects everything', () => {
    expect(labelSelectorAsQuery(undefined).matches({ a: 'b' })).toBe(false);
    expect(labelSelectorAsQuery(null).matches({})).toBe(false);
    expect(labelSelectorAsQuery({}).matches({ a: 'b' })).toBe(true);
    expect(labelSelectorAsQuery({ matchLabels: {}, matchExpressions: [] }).empty).toBe(true);
  });

  it('matchLabels AND matchExpressions (In, NotIn, Exists, DoesNotExist)', () => {
    const q = labelSelectorAsQuery({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(q.matches({ app: 'web', tier: 'edge', team: 'a' })).toBe(true);
    expect(q.matches({ app: 'web', tier: 'edge', team: 'a', env: 'prod' })).toBe(false);
    expect(q.matches({ app: 'web', tier: 'back', team: 'a' })).toBe(false);
    expect(q.matches({ app: 'web', tier: 'edge' })).toBe(false);
    expect(q.matches({ app: 'web', tier: 'edge', team: 'a', legacy: '1' })).toBe(false);
    expect(q.toString()).toBe('app=web,env notin (prod),!legacy,team,tier in (edge,front)');
  });

  it('renders matchLabels like kubectl and Scale.status.selector do', () => {
    expect(labelSelectorAsQuery({ matchLabels: { app: 'web', tier: 'a' } }).toString()).toBe('app=web,tier=a');
    expect(labelQueryFromSet({ b: '2', a: '1' }).toString()).toBe('a=1,b=2');
    expect(labelQueryFromSet(undefined).empty).toBe(true);
  });

  it('rejects unknown operators and invalid requirements with upstream messages', () => {
    const msg = (sel: Parameters<typeof labelSelectorAsQuery>[0]) => {
      try {
        labelSelectorAsQuery(sel);
      } catch (e) {
        expect(isSelectorError(e, 'InvalidLabelSelector')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('expected failure');
    };
    expect(msg({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toBe('"Gt" is not a valid label selector operator');
    expect(msg({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toBe(
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(msg({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toBe(
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    );
    expect(msg({ matchLabels: { 'a/b/c': 'x' } })).toMatch(/^key: Invalid value: "a\/b\/c": a qualified name must/);
    expect(msg({ matchLabels: { a: '-x' } })).toMatch(/^values\[0\]\[a\]: Invalid value: "-x": a valid label/);
  });
});
