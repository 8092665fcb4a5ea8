import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/index.js';
import { jsonCodec } from './codec.js';

describe('jsonCodec.written', () => {
  const cases: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '7', labels: { x: 'y' } }, data: { k: 'v', u: undefined } as unknown as Record<string, string> },
    { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '3', name: 'p', generation: -0 }, spec: { list: [1, undefined, NaN], when: new Date(0) } },
    { kind: 'X', metadata: {} },
    { metadata: { name: 'no-rv' }, kind: 'Y', extra: null },
  ];
  it('equals decode(encode(obj)) key for key, resourceVersion last', () => {
    for (const obj of cases) {
      const viaBytes = jsonCodec.decode(jsonCodec.encode(obj), 42);
      const written = jsonCodec.written!(obj, 42);
      expect(JSON.stringify(written)).toBe(JSON.stringify(viaBytes));
      expect(written).toStrictEqual(viaBytes);
    }
  });

  it('shares nothing mutable with the written object', () => {
    const obj: KubeObject = { kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' } };
    const out = jsonCodec.written!(obj, 5);
    out.metadata.labels!.x = 'changed';
    (out.data as Record<string, string>).k = 'changed';
    expect(obj).toEqual({ kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' } });
    expect(obj.metadata.resourceVersion).toBeUndefined();
  });
});
