import { describe, expect, it } from 'vitest';
import { JsonPathError, evaluateJsonPath, getPath, parseJsonPath, setPath } from './jsonpath.js';

const obj = {
  spec: { replicas: 3, 'a.b': 'dotted', containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False' }] },
};

describe('JSONPath subset', () => {
  it('evaluates fields, indexes, wildcards, quoted keys and filters', () => {
    expect(getPath(obj, '.spec.replicas')).toBe(3);
    expect(getPath(obj, '{.spec.containers[1].image}')).toBe('y');
    expect(getPath(obj, '.spec.containers[-1].name')).toBe('b');
    expect(evaluateJsonPath(parseJsonPath('.spec.containers[*].name'), obj)).toEqual(['a', 'b']);
    expect(getPath(obj, ".spec['a.b']")).toBe('dotted');
    expect(getPath(obj, '.status.conditions[?(@.type=="Synced")].status')).toBe('False');
    expect(getPath(obj, '.spec.missing.deeper')).toBeUndefined();
  });

  it('sets simple paths, creating objects on the way', () => {
    const o: Record<string, unknown> = {};
    setPath(o, '.spec.replicas', 2);
    expect(o).toEqual({ spec: { replicas: 2 } });
    expect(() => setPath(o, '.spec.list[0]', 1)).toThrow(JsonPathError);
  });

  it('rejects what it does not understand', () => {
    expect(() => parseJsonPath('spec.replicas')).toThrow(JsonPathError);
    expect(() => parseJsonPath('.spec[?(@.a>1)]')).toThrow(JsonPathError);
    expect(() => parseJsonPath('.spec[0')).toThrow(JsonPathError);
  });
});

describe('Scale selector rendering', () => {
  it('renders LabelSelectors and plain label maps', async () => {
    const { toScale } = await import('./subresources.js');
    const paths = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' };
    const deploy = { metadata: { name: 'd' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] } } };
    expect((toScale(deploy, paths).status as { selector: string }).selector).toBe('app=web,tier in (a,b)');
    const rc = { metadata: { name: 'r' }, spec: { replicas: 1, selector: { app: 'web' } }, status: { replicas: 1 } };
    expect(toScale(rc, paths).status).toEqual({ replicas: 1, selector: 'app=web' });
  });
});
