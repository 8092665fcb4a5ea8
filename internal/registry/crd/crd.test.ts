import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type KubeObject } from '../../api/index.js';
import { configMaps, namespaces } from '../testing/fixtures.js';
import { createTestRegistry, type TestRegistry, failure } from '../testing/test-registry.js';

const CRD = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' } as const;
const W1 = { group: 'example.com', version: 'v1', resource: 'widgets', namespace: 'ns' } as const;
const W2 = { group: 'example.com', version: 'v1beta1', resource: 'widgets', namespace: 'ns' } as const;

const schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1, maximum: 10 },
        color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
        code: { type: 'string', pattern: '^[a-z]+$' },
        port: { 'x-kubernetes-int-or-string': true },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        note: { type: 'string', nullable: true },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        replicas: { type: 'integer' },
      },
    },
    status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' } } },
  },
};

function widgetCrd(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
          additionalPrinterColumns: [
            { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
            { name: 'Color', type: 'string', jsonPath: '.spec.color', priority: 1 },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
        },
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: schema } },
      ],
      ...extra,
    },
  };
}

let r: TestRegistry;
afterEach(async () => r?.close());

async function setup(): Promise<KubeObject> {
  r = createTestRegistry([configMaps, namespaces]);
  await r.call({ group: '', version: 'v1', resource: 'namespaces', verb: 'create', body: { metadata: { name: 'ns' } }, params: {} });
  return r.obj({ ...CRD, verb: 'create', body: widgetCrd(), params: {} });
}

const widget = (name: string, spec: Record<string, unknown>, apiVersion = 'example.com/v1'): KubeObject => ({ apiVersion, kind: 'Widget', metadata: { name }, spec });

describe('CustomResourceDefinition', () => {
  it('is Established and serves its versions at once', async () => {
    const crd = await setup();
    const status = crd.status as { conditions: { type: string; status: string }[]; acceptedNames: { kind: string }; storedVersions: string[] };
    expect(status.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['NamesAccepted=True', 'Established=True']);
    expect(status.acceptedNames.kind).toBe('Widget');
    expect(status.storedVersions).toEqual(['v1']);
    expect(crd.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    const def = r.catalog.lookup('example.com', 'v1', 'widgets');
    expect(def).toMatchObject({ kind: 'Widget', namespaced: true, shortNames: ['wd'], categories: ['all'], custom: true });
    expect(def!.subresources!.map((s) => s.name)).toEqual(['status', 'scale']);
    expect(r.catalog.lookup('example.com', 'v1beta1', 'widgets')).toBeDefined();
  });

  it('validates names, scope, versions and schemas with upstream messages', async () => {
    r = createTestRegistry([]);
    const bad = widgetCrd();
    bad.metadata.name = 'gadgets.example.com';
    const err = await failure(r.call({ ...CRD, verb: 'create', body: bad, params: {} }));
    expect(err.code).toBe(422);
    expect(err.message).toBe(
      'CustomResourceDefinition.apiextensions.k8s.io "gadgets.example.com" is invalid: metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group',
    );
    const twoStorage = widgetCrd();
    (twoStorage.spec as { versions: { storage: boolean }[] }).versions[1]!.storage = true;
    expect((await failure(r.call({ ...CRD, verb: 'create', body: twoStorage, params: {} }))).message).toContain('must have exactly one version marked as storage version');
    const noSchema = widgetCrd({ versions: [{ name: 'v1', served: true, storage: true }] });
    expect((await failure(r.call({ ...CRD, verb: 'create', body: noSchema, params: {} }))).message).toContain(
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
    );
    const untyped = widgetCrd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: {} } } } }] });
    expect((await failure(r.call({ ...CRD, verb: 'create', body: untyped, params: {} }))).message).toContain(
      'spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    );
    const scope = widgetCrd({ scope: 'Galaxy' });
    expect((await failure(r.call({ ...CRD, verb: 'create', body: scope, params: {} }))).message).toContain('spec.scope: Unsupported value: "Galaxy"');
  });
});

describe('custom resources', () => {
  it('prunes unknown fields, applies defaults and keeps preserved subtrees', async () => {
    await setup();
    const res = await r.call({ ...W1, verb: 'create', body: widget('w1', { size: 3, bogus: 1, free: { anything: { goes: true } }, labels: { a: 'b' } }), params: {} });
    expect(res.code).toBe(201);
    const w = res.body as KubeObject;
    expect(w.spec).toEqual({ size: 3, color: 'red', free: { anything: { goes: true } }, labels: { a: 'b' } });
    expect(res.warnings).toEqual(['unknown field "spec.bogus"']);
    expect(w.metadata.generation).toBe(1);
  });

  it('answers Strict with 400 for unknown fields', async () => {
    await setup();
    const err = await failure(r.call({ ...W1, verb: 'create', body: widget('w1', { size: 3, bogus: 1 }), params: { fieldValidation: 'Strict' } }));
    expect(err.code).toBe(400);
    expect(err.message).toBe('Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"');
  });

  it('validates against the structural schema with 422 field errors', async () => {
    await setup();
    const err = await failure(r.call({ ...W1, verb: 'create', body: widget('w1', { size: 'big', color: 'green', code: 'ABC', port: 1.5, labels: { a: 1 }, note: null }), params: {} }));
    expect(err.code).toBe(422);
    expect(err.details?.kind).toBe('Widget');
    expect(err.details?.group).toBe('example.com');
    const causes = err.details?.causes?.map((c) => `${c.field}: ${c.message}`);
    expect(causes).toEqual([
      'spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"',
      'spec.color: Unsupported value: "green": supported values: "red", "blue"',
      'spec.code: Invalid value: "ABC": spec.code in body should match \'^[a-z]+$\'',
      'spec.port: Invalid value: "number": spec.port in body must be of type integer-or-string: "number"',
      'spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
    ]);
    expect(err.message.startsWith('Widget.example.com "w1" is invalid: [')).toBe(true);
    const missing = await failure(r.call({ ...W1, verb: 'create', body: widget('w2', { size: 11 }), params: {} }));
    expect(missing.message).toBe('Widget.example.com "w2" is invalid: spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10');
    const req = await failure(r.call({ ...W1, verb: 'create', body: widget('w3', {}), params: {} }));
    expect(req.message).toBe('Widget.example.com "w3" is invalid: spec.size: Required value');
  });

  it('is served in every version from one storage location', async () => {
    await setup();
    await r.call({ ...W1, verb: 'create', body: widget('w1', { size: 3 }), params: {} });
    const asBeta = await r.obj({ ...W2, verb: 'get', name: 'w1', params: {} });
    expect(asBeta.apiVersion).toBe('example.com/v1beta1');
    await r.call({ ...W2, verb: 'create', body: widget('w2', { size: 4 }, 'example.com/v1beta1'), params: {} });
    const list = await r.obj({ ...W1, verb: 'list', params: {} });
    expect((list.items as KubeObject[]).map((o) => `${o.apiVersion} ${o.metadata.name}`)).toEqual(['example.com/v1 w1', 'example.com/v1 w2']);
  });

  it('keeps status on main writes, serves /status and /scale, and answers SMP with 415', async () => {
    await setup();
    await r.call({ ...W1, verb: 'create', body: { ...widget('w1', { size: 3, replicas: 1 }), status: { replicas: 9 } }, params: {} });
    const st = await r.obj({ ...W1, verb: 'patch', name: 'w1', subresource: 'status', patchType: 'merge', patch: { status: { replicas: 1, selector: 'app=w' } }, params: {} });
    expect(st.status).toEqual({ replicas: 1, selector: 'app=w' });
    const main = await r.obj({ ...W1, verb: 'patch', name: 'w1', patchType: 'merge', patch: { status: { replicas: 5 }, spec: { size: 4 } }, params: {} });
    expect(main.status).toEqual({ replicas: 1, selector: 'app=w' });
    expect(main.metadata.generation).toBe(2);
    const scale = await r.obj({ ...W1, verb: 'patch', name: 'w1', subresource: 'scale', patchType: 'merge', patch: { spec: { replicas: 3 } }, params: {} });
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 3 }, status: { replicas: 1, selector: 'app=w' } });
    const smp = await failure(r.call({ ...W1, verb: 'patch', name: 'w1', patchType: 'strategic', patch: {}, params: {} }));
    expect(smp.code).toBe(415);
  });

  it('prints additionalPrinterColumns through the JSONPath subset', async () => {
    await setup();
    const w = await r.obj({ ...W1, verb: 'create', body: widget('w1', { size: 3 }), params: {} });
    const cols = r.catalog.lookup('example.com', 'v1', 'widgets')!.columns!;
    expect(cols.map((c) => `${c.name}:${c.type}:${c.priority}`)).toEqual(['Size:integer:0', 'Color:string:1', 'Age:date:0']);
    const now = Date.parse(w.metadata.creationTimestamp as string) + 150_000;
    expect(cols.map((c) => c.cell(w, now))).toEqual([3, 'red', '2m30s']);
    const beta = r.catalog.lookup('example.com', 'v1beta1', 'widgets')!.columns!;
    expect(beta.map((c) => c.name)).toEqual(['Age']);
  });
});
