import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/index.js';
import { namespaces } from '../testing/fixtures.js';
import { createTestRegistry, failure, type TestRegistry } from '../testing/test-registry.js';

const CRD = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' } as const;
const CT = { group: 'stable.example.com', version: 'v1', resource: 'crontabs', namespace: 'ns' } as const;

/** The CronTab of the Kubernetes documentation's validation-rules examples, with a status subresource. */
const schema = {
  type: 'object',
  'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('ct-')", message: 'name must start with ct-' }],
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas', message: 'replicas should be in the range minReplicas..maxReplicas.' },
        { rule: 'self.replicas >= oldSelf.replicas', messageExpression: "'replicas may not go down from ' + string(oldSelf.replicas)" },
        { rule: "!has(self.image) || self.image.contains(':')", reason: 'FieldValueForbidden', fieldPath: '.image', message: 'image needs a tag' },
      ],
      properties: {
        replicas: { type: 'integer' },
        minReplicas: { type: 'integer' },
        maxReplicas: { type: 'integer' },
        image: { type: 'string', maxLength: 100 },
        mode: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'mode is immutable' }] },
        ports: {
          type: 'array',
          maxItems: 10,
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', maxLength: 20 }, port: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 0 && self < 65536' }, { rule: 'self == oldSelf', message: 'port is immutable' }] } },
          },
        },
        labels: { type: 'object', maxProperties: 5, additionalProperties: { type: 'string', maxLength: 63, 'x-kubernetes-validations': [{ rule: "self.matches('^[a-z]*$')", message: 'lower-case only' }] } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.ready >= 0', message: 'ready must not be negative' }] },
  },
};

function crd(s: unknown = schema): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: s }, subresources: { status: {} } }],
    },
  };
}

const ct = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name }, spec });
const ok = { minReplicas: 1, replicas: 2, maxReplicas: 5 };

let r: TestRegistry;
afterEach(async () => r?.close());

async function setup(): Promise<void> {
  r = createTestRegistry([namespaces]);
  await r.call({ group: '', version: 'v1', resource: 'namespaces', verb: 'create', body: { metadata: { name: 'ns' } }, params: {} });
  await r.obj({ ...CRD, verb: 'create', body: crd(), params: {} });
}

async function message(p: Promise<unknown>): Promise<string> {
  const e = await failure(p);
  expect(e.code).toBe(422);
  return e.message;
}

describe('x-kubernetes-validations', () => {
  it('rejects a bad object with the rule message at the rule node, and stores a good one', async () => {
    await setup();
    expect(await message(r.call({ ...CT, verb: 'create', body: ct('ct-a', { ...ok, replicas: 9 }), params: {} }))).toBe(
      'CronTab.stable.example.com "ct-a" is invalid: spec: Invalid value: "object": replicas should be in the range minReplicas..maxReplicas.',
    );
    expect(await message(r.call({ ...CT, verb: 'create', body: ct('bad', ok), params: {} }))).toBe('CronTab.stable.example.com "bad" is invalid: <nil>: Invalid value: "object": name must start with ct-');
    expect((await r.call({ ...CT, verb: 'create', body: ct('ct-a', ok), params: {} })).code).toBe(201);
  });

  it('reports reason and fieldPath, list items, map values and scalars with their paths', async () => {
    await setup();
    const bad = ct('ct-b', { ...ok, image: 'nginx', ports: [{ name: 'http', port: 70000 }], labels: { a: 'OK' } });
    const e = await failure(r.call({ ...CT, verb: 'create', body: bad, params: {} }));
    expect(e.details?.causes?.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.image: Forbidden: image needs a tag',
      'spec.ports[0].port: Invalid value: "integer": failed rule: self > 0 && self < 65536',
      'spec.labels[a]: Invalid value: "string": lower-case only',
    ]);
  });

  it('evaluates transition rules only on update, with messageExpression, immutability and list-map correlation', async () => {
    await setup();
    await r.obj({ ...CT, verb: 'create', body: ct('ct-a', { ...ok, mode: 'fast', ports: [{ name: 'http', port: 80 }] }), params: {} });
    const down = r.call({ ...CT, verb: 'patch', name: 'ct-a', patchType: 'merge', patch: { spec: { replicas: 1 } }, params: {} });
    expect(await message(down)).toBe('CronTab.stable.example.com "ct-a" is invalid: spec: Invalid value: "object": replicas may not go down from 2');
    const mode = r.call({ ...CT, verb: 'patch', name: 'ct-a', patchType: 'merge', patch: { spec: { mode: 'slow' } }, params: {} });
    expect(await message(mode)).toBe('CronTab.stable.example.com "ct-a" is invalid: spec.mode: Invalid value: "string": mode is immutable');
    // The port of item "http" may not change; a new item has no old value, so its transition rule does not run.
    const port = r.call({ ...CT, verb: 'patch', name: 'ct-a', patchType: 'merge', patch: { spec: { ports: [{ name: 'web', port: 8080 }, { name: 'http', port: 81 }] } }, params: {} });
    expect(await message(port)).toBe('CronTab.stable.example.com "ct-a" is invalid: spec.ports[1].port: Invalid value: "integer": port is immutable');
    const fine = await r.obj({ ...CT, verb: 'patch', name: 'ct-a', patchType: 'merge', patch: { spec: { replicas: 3, ports: [{ name: 'web', port: 8080 }, { name: 'http', port: 80 }] } }, params: {} });
    expect(fine.spec).toMatchObject({ replicas: 3 });
  });

  it('validates status writes', async () => {
    await setup();
    await r.obj({ ...CT, verb: 'create', body: ct('ct-a', ok), params: {} });
    const st = r.call({ ...CT, verb: 'patch', name: 'ct-a', subresource: 'status', patchType: 'merge', patch: { status: { ready: -1 } }, params: {} });
    expect(await message(st)).toBe('CronTab.stable.example.com "ct-a" is invalid: status: Invalid value: "object": ready must not be negative');
    expect((await r.obj({ ...CT, verb: 'patch', name: 'ct-a', subresource: 'status', patchType: 'merge', patch: { status: { ready: 1 } }, params: {} })).status).toEqual({ ready: 1 });
  });

  it('a missing key is an evaluation error naming the rule; a type error skips the rules', async () => {
    await setup();
    const noMax = await failure(r.call({ ...CT, verb: 'create', body: ct('ct-a', { minReplicas: 1, replicas: 2 }), params: {} }));
    expect(noMax.details?.causes?.map((c) => c.message)).toEqual([
      'Invalid value: "object": no such key: maxReplicas evaluating rule: replicas should be in the range minReplicas..maxReplicas.',
    ]);
    const typed = await failure(r.call({ ...CT, verb: 'create', body: ct('ct-a', { ...ok, replicas: 'two' }), params: {} }));
    expect(typed.details?.causes?.map((c) => `${c.field}: ${c.message}`).at(-1)).toBe(
      '<nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    );
  });
});

describe('CRD checks of x-kubernetes-validations', () => {
  async function crdError(s: unknown): Promise<string> {
    r = createTestRegistry([namespaces]);
    return message(r.call({ ...CRD, verb: 'create', body: crd(s), params: {} }));
  }

  it('rejects a rule that does not compile, with cel-go layout', async () => {
    const m = await crdError({ type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a ==' }] } } });
    expect(m).toContain('spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.a ==", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:');
    const undeclared = await crdError({ type: 'object', 'x-kubernetes-validations': [{ rule: 'other > 1' }] });
    expect(undeclared).toContain("compilation failed: ERROR: <input>:1:1: undeclared reference to 'other' (in container '')\n | other > 1\n | ^");
  });

  it('rejects a rule whose estimated cost exceeds the budget, and accepts it with maxItems', async () => {
    const nested = (maxItems?: number) => ({
      type: 'object',
      properties: { spec: { type: 'object', properties: { l: { type: 'array', ...(maxItems ? { maxItems } : {}), items: { type: 'integer' } } }, 'x-kubernetes-validations': [{ rule: 'self.l.all(x, self.l.all(y, x == y || x != y))' }] } },
    });
    expect(await crdError(nested())).toContain(
      'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)',
    );
    r = createTestRegistry([namespaces]);
    expect((await r.call({ ...CRD, verb: 'create', body: crd(nested(100)), params: {} })).code).toBe(201);
  });

  it('rejects oldSelf where old values cannot be correlated, unknown reasons and bad fieldPaths', async () => {
    const m = await crdError({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          'x-kubernetes-validations': [{ rule: 'true', reason: 'Bogus' }, { rule: 'true', fieldPath: '.nope' }],
          properties: { l: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 5, 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } },
        },
      },
    });
    expect(m).toContain('x-kubernetes-validations[0].reason: Unsupported value: "Bogus"');
    expect(m).toContain('x-kubernetes-validations[1].fieldPath: Invalid value: ".nope": fieldPath must be a valid path: does not refer to a valid field');
    expect(m).toContain('oldSelf cannot be used on the uncorrelatable portion of the schema within spec.validation.openAPIV3Schema.properties[spec].properties[l]');
  });
});
