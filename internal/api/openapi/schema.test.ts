import { describe, expect, it } from 'vitest';
import { builtinSchema } from './builtin.js';
import { schemaFrom } from './schema.js';
import { findUnknownFields } from './unknown-fields.js';

describe('builtin schemas', () => {
  const deploy = builtinSchema({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
  const containers = deploy.field('spec')!.field('template')!.field('spec')!.field('containers')!;

  it('resolves refs through allOf wrappers and exposes merge keys', () => {
    expect(containers.type).toBe('array');
    expect(containers.patchMergeKey).toBe('name');
    expect(containers.patchStrategies).toEqual(['merge']);
    expect(containers.list).toMatchObject({ listType: 'map', keys: ['name'] });
    expect(containers.items!.field('image')!.type).toBe('string');
  });

  it('gives lists their SSA semantics: finalizers is a set, args atomic, ports keyed', () => {
    expect(deploy.field('metadata')!.field('finalizers')!.list.listType).toBe('set');
    expect(containers.items!.field('args')!.list.listType).toBe('atomic');
    expect(containers.items!.field('ports')!.list).toEqual({ listType: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { containerPort: 0, protocol: 'TCP' } });
    const volumes = deploy.field('spec')!.field('template')!.field('spec')!.field('volumes')!;
    expect(volumes.patchStrategies).toEqual(['merge', 'retainKeys']);
  });

  it('has no schema for unknown kinds', () => {
    expect(builtinSchema({ group: 'apps', version: 'v1', kind: 'Nope' })).toBeUndefined();
    expect(builtinSchema({ group: 'nope.io', version: 'v1', kind: 'X' })).toBeUndefined();
  });
});

describe('findUnknownFields', () => {
  const cm = builtinSchema({ group: '', version: 'v1', kind: 'ConfigMap' })!;
  it('reports unknown fields with their paths, and accepts maps', () => {
    expect(findUnknownFields(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', foo: 1, labels: { any: 'x' } }, data: { k: 'v' }, bogus: true })).toEqual(['metadata.foo', 'bogus']);
  });
  it('indexes into lists', () => {
    const pod = builtinSchema({ group: '', version: 'v1', kind: 'Pod' })!;
    expect(findUnknownFields(pod, { metadata: {}, spec: { containers: [{ name: 'a', image: 'b', imagePolicy: 'x' }] } })).toEqual(['spec.containers[0].imagePolicy']);
  });
  it('accepts anything under preserve-unknown-fields and int-or-string', () => {
    const s = schemaFrom({ type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, port: { 'x-kubernetes-int-or-string': true } } });
    expect(findUnknownFields(s, { spec: { a: { b: 1 } }, port: 'http', other: 1 })).toEqual(['other']);
  });
  it('knows a CRD schema\'s "description" fields and accepts anything under untyped JSONSchemaPropsOrArray', () => {
    const crd = builtinSchema({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' })!;
    const schema = { type: 'object', description: 'd', properties: { spec: { type: 'object', description: 'd', properties: { tags: { type: 'array', items: { type: 'string' } } } } } };
    const obj = { spec: { group: 'g', versions: [{ name: 'v1', schema: { openAPIV3Schema: schema }, bogus: 1 }] } };
    expect(findUnknownFields(crd, obj)).toEqual(['spec.versions[0].bogus']);
  });
});
