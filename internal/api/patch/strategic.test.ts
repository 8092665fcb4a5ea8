import { describe, expect, it } from 'vitest';
import { builtinSchema } from '../openapi/index.js';
import { StrategicPatchError, applyStrategicMergePatch } from './strategic.js';

const deploySchema = builtinSchema({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
const podSchema = builtinSchema({ group: '', version: 'v1', kind: 'Pod' })!;

function deployment(containers: unknown[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['a', 'b'] },
    spec: { replicas: 1, template: { metadata: { labels: { app: 'web' } }, spec: { containers, ...extra } } },
  };
}

const smp = (orig: unknown, patch: unknown, schema = deploySchema) => applyStrategicMergePatch(orig, patch, schema) as ReturnType<typeof deployment>;
const containersOf = (d: ReturnType<typeof deployment>) => d.spec.template.spec.containers as Record<string, unknown>[];

describe('strategic merge patch', () => {
  it('merges containers by name and env by name, leaving the other container untouched (kubectl apply)', () => {
    const orig = deployment([
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '1' }] },
      { name: 'sidecar', image: 'side:1', args: ['--x'] },
    ]);
    const patch = { spec: { template: { spec: { $setElementOrder: undefined, '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }], containers: [{ name: 'app', env: [{ name: 'B', value: '2' }] }] } } } };
    const out = smp(orig, patch);
    expect(containersOf(out)).toEqual([
      { name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'sidecar', image: 'side:1', args: ['--x'] },
    ]);
  });

  it('appends new list items and orders them by $setElementOrder', () => {
    const orig = deployment([{ name: 'b', image: 'b' }]);
    const out = smp(orig, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'a', image: 'a' }] } } } });
    expect(containersOf(out).map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('deletes a list item with $patch: delete and a key with null', () => {
    const orig = deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b', command: ['x'] }]);
    const out = smp(orig, { metadata: { labels: { app: null } }, spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }, { name: 'b', command: null }] } } } });
    expect(containersOf(out)).toEqual([{ name: 'b', image: 'b' }]);
    expect(out.metadata.labels).toEqual({});
  });

  it('replaces a whole merge list with a $patch: replace item, and a map with $patch: replace', () => {
    const orig = deployment([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }]);
    const out = smp(orig, { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'c' }] } } } });
    expect(containersOf(out)).toEqual([{ name: 'c', image: 'c' }]);
    const out2 = smp(orig, { metadata: { labels: { $patch: 'replace', tier: 'x' } } });
    expect(out2.metadata.labels).toEqual({ tier: 'x' });
  });

  it('replaces lists without a merge strategy (args) and unions scalar merge lists (finalizers)', () => {
    const orig = deployment([{ name: 'a', image: 'a', args: ['1', '2'] }]);
    const out = smp(orig, { metadata: { finalizers: ['b', 'c'] }, spec: { template: { spec: { containers: [{ name: 'a', args: ['3'] }] } } } });
    expect(containersOf(out)[0]!.args).toEqual(['3']);
    expect(out.metadata.finalizers).toEqual(['a', 'b', 'c']);
  });

  it('removes values with $deleteFromPrimitiveList', () => {
    const out = smp(deployment([]), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } });
    expect(out.metadata.finalizers).toEqual(['b']);
  });

  it('keeps only $retainKeys in a volume (strategy merge,retainKeys)', () => {
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'a' }], volumes: [{ name: 'v', emptyDir: {} }] } };
    const out = applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] } }, podSchema) as typeof pod;
    expect(out.spec.volumes).toEqual([{ name: 'v', hostPath: { path: '/x' } }]);
  });

  it('rejects an item without its merge key (422) and directive misuse (400)', () => {
    const orig = deployment([{ name: 'a', image: 'a' }]);
    const err = (p: unknown) => {
      try {
        smp(orig, p);
      } catch (e) {
        return (e as StrategicPatchError).kind;
      }
      return 'none';
    };
    expect(err({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } })).toBe('invalid');
    expect(err({ metadata: { $patch: 'explode' } })).toBe('malformed');
    expect(err({ metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } })).toBe('malformed');
    expect(err([1, 2])).toBe('malformed');
  });

  it('does not modify its inputs', () => {
    const orig = deployment([{ name: 'a', image: 'a' }]);
    const before = JSON.stringify(orig);
    const patch = { spec: { template: { spec: { containers: [{ name: 'a', image: 'b' }] } } } };
    smp(orig, patch);
    expect(JSON.stringify(orig)).toBe(before);
    expect(patch.spec.template.spec.containers[0]!.image).toBe('b');
  });
});

describe('applyPatch("strategic")', () => {
  it('maps strategic patch failures to 422 and 400 Status errors', async () => {
    const { applyPatch } = await import('./index.js');
    const code = (p: unknown) => {
      try {
        applyPatch('strategic', deployment([{ name: 'a' }]), p, { schema: deploySchema });
      } catch (e) {
        return (e as { code: number }).code;
      }
      return 200;
    };
    expect(code({ spec: { template: { spec: { containers: [{ image: 'x' }] } } } })).toBe(422);
    expect(code({ metadata: { $patch: 'explode' } })).toBe(400);
    expect(code({ metadata: { labels: { x: 'y' } } })).toBe(200);
  });
});

describe('__proto__ keys (found by the fuzzer)', () => {
  it('stay plain keys and never reach Object.prototype', () => {
    const patch = JSON.parse('{"data":{"__proto__":{"polluted":"x","__proto__":[]}},"__proto__":{"b":1}}');
    const out = applyStrategicMergePatch({ data: { a: '1' } }, patch, undefined) as Record<string, Record<string, unknown>>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out.data)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"data":{"a":"1","__proto__":{"polluted":"x","__proto__":[]}},"__proto__":{"b":1}}');
  });
});
