import { describe, expect, it } from 'vitest';
import { builtinSchema } from './builtin.js';
import { findTypeMismatch, typeMismatchMessage } from './type-errors.js';

const cm = builtinSchema({ group: '', version: 'v1', kind: 'ConfigMap' })!;
const deploy = builtinSchema({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
const pod = builtinSchema({ group: '', version: 'v1', kind: 'Pod' })!;

const msg = (schema: typeof cm, obj: unknown, kind: string) => {
  const m = findTypeMismatch(schema, obj, kind);
  return m && typeMismatchMessage(m);
};

describe('findTypeMismatch', () => {
  it('reports a wrong scalar the way Go does', () => {
    expect(msg(cm, { data: { a: 1 } }, 'ConfigMap')).toBe('json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    expect(msg(cm, { metadata: { labels: { a: true } } }, 'ConfigMap')).toBe('json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string');
    expect(msg(deploy, { spec: { replicas: '3' } }, 'Deployment')).toBe('json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    expect(msg(deploy, { spec: { replicas: 1.5 } }, 'Deployment')).toBe('json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
    expect(msg(deploy, { spec: { template: { spec: { containers: [{ name: 'a', image: 5 }] } } } }, 'Deployment')).toBe(
      'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string',
    );
    expect(msg(deploy, { spec: { template: { spec: { containers: { name: 'a' } } } } }, 'Deployment')).toBe(
      'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container',
    );
  });

  it('accepts quantities, int-or-string, nulls, unknown fields and well-typed objects', () => {
    const ok = {
      metadata: { name: 'p', labels: { a: 'b' }, annotations: null },
      spec: {
        containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: 1, memory: '1Gi' } }, ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: 'http' } }, bogus: 1 }],
        activeDeadlineSeconds: 30,
      },
    };
    expect(findTypeMismatch(pod, ok, 'Pod')).toBeUndefined();
    expect(findTypeMismatch(pod, { spec: { containers: [{ livenessProbe: { httpGet: { port: 8080 } } }] } }, 'Pod')).toBeUndefined();
  });
});
