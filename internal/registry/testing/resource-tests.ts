import { afterEach, describe, expect, it } from 'vitest';
import { apiVersionOf, isApiError, type KubeList, type KubeObject } from '../../api/index.js';
import type { ResourceDefinition } from '../definition.js';
import { ADMIN, createTestRegistry, take, type TestRegistry } from './test-registry.js';

export interface InvalidCase {
  /** Shown in the test name. */
  name: string;
  object: KubeObject;
  /** Expected HTTP code; default 422. */
  code?: number;
  /** A substring the error message must contain. */
  message?: string;
}

export interface ResourceTestCases {
  /** A valid object (metadata.name set); created in `namespace` for namespaced kinds. */
  valid: KubeObject;
  invalid?: InvalidCase[];
  /** Changes a stored copy in a way the strategy accepts (PUT), e.g. a label or a spec field. */
  update?: (obj: KubeObject) => void;
  /** Default "default". */
  namespace?: string;
  /** Other definitions the resource needs in the catalog. */
  extraDefinitions?: ResourceDefinition[];
}

/**
 * The generic resource tester (after apiserver's registry/generic/testing): every built-in
 * definition runs the same create/get/list/update/delete/watch/dry-run/selector/table checks
 * through the real handler over the memory backend. Call it inside a test file:
 * `runResourceTests(configMapDefinition(), { valid, invalid: [...] })`.
 */
export function runResourceTests(definition: ResourceDefinition, cases: ResourceTestCases): void {
  const namespace = definition.namespaced ? (cases.namespace ?? 'default') : undefined;
  const ref = { group: definition.group, version: definition.version, resource: definition.plural, namespace };
  const name = cases.valid.metadata.name!;
  const body = (): KubeObject => ({ apiVersion: apiVersionOf(definition), kind: definition.kind, ...structuredClone(cases.valid) });
  let r: TestRegistry;
  const fresh = () => (r = createTestRegistry([definition, ...(cases.extraDefinitions ?? [])]));
  const create = async (obj = body(), params = {}) => r.call({ ...ref, verb: 'create', body: obj, params });

  describe(`${definition.plural}.${definition.group || 'core'}/${definition.version} (generic resource tests)`, () => {
    afterEach(async () => r?.close());

    it('creates the valid object and reads it back', async () => {
      fresh();
      const res = await create();
      expect(res.code).toBe(201);
      const obj = res.body as KubeObject;
      expect(obj.metadata).toMatchObject({ name, uid: expect.any(String), resourceVersion: expect.any(String), creationTimestamp: expect.any(String) });
      expect(obj.kind).toBe(definition.kind);
      if (namespace) expect(obj.metadata.namespace).toBe(namespace);
      const got = await r.obj({ ...ref, verb: 'get', name, params: {} });
      expect(got).toEqual(obj);
      const again = await r.call({ ...ref, verb: 'create', body: body(), params: {} }).catch((e: unknown) => e);
      expect(isApiError(again, 'AlreadyExists')).toBe(true);
    });

    it('lists it, also by metadata.name field selector', async () => {
      fresh();
      await create();
      const list = (await r.obj({ ...ref, verb: 'list', params: {} })) as unknown as KubeList;
      expect(list.kind).toBe(definition.listKind);
      expect(list.items.map((o) => o.metadata.name)).toEqual([name]);
      const none = (await r.obj({ ...ref, verb: 'list', params: { fieldSelector: 'metadata.name=nope' } })) as unknown as KubeList;
      expect(none.items).toEqual([]);
    });

    it('accepts an unchanged PUT and the given update', async () => {
      fresh();
      const obj = (await create()).body as KubeObject;
      const same = await r.obj({ ...ref, verb: 'update', name, body: obj, params: {} });
      expect(same.metadata.uid).toBe(obj.metadata.uid);
      if (cases.update) {
        const changed = structuredClone(same);
        cases.update(changed);
        const out = await r.obj({ ...ref, verb: 'update', name, body: changed, params: {} });
        expect(Number(out.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(same.metadata.resourceVersion));
      }
    });

    it('deletes it (at once or pending with a deletionTimestamp)', async () => {
      fresh();
      await create();
      const res = await r.call({ ...ref, verb: 'delete', name, params: {} });
      expect(res.code).toBe(200);
      const left = await r.call({ ...ref, verb: 'get', name, params: {} }).catch((e: unknown) => e);
      if (isApiError(left)) expect(left.code).toBe(404);
      else expect(((left as { body: KubeObject }).body.metadata.deletionTimestamp)).toBeDefined();
    });

    it('dry run stores nothing', async () => {
      fresh();
      const res = await create(body(), { dryRun: true });
      expect(res.code).toBe(201);
      const err = await r.call({ ...ref, verb: 'get', name, params: {} }).catch((e: unknown) => e);
      expect(isApiError(err, 'NotFound')).toBe(true);
    });

    it('watch sees the create', async () => {
      fresh();
      const ac = new AbortController();
      const { events } = await r.handler.watch({ user: ADMIN, ...ref, verb: 'watch', params: {}, signal: ac.signal });
      await create();
      const [ev] = await take(events, 1);
      ac.abort();
      expect(ev?.type).toBe('ADDED');
      expect(ev?.object.metadata.name).toBe(name);
    });

    it('computes every table cell and declares its selectable fields', async () => {
      fresh();
      const obj = (await create()).body as KubeObject;
      for (const col of definition.columns ?? []) {
        const cell = col.cell(obj, Date.parse(obj.metadata.creationTimestamp as string) + 60_000);
        expect(['string', 'number', 'boolean'].includes(typeof cell) || cell === null, `column ${col.name}`).toBe(true);
      }
      const fields = Object.keys(definition.strategy.selectableFields?.(obj) ?? {});
      for (const f of fields) {
        const value = definition.strategy.selectableFields!(obj)[f] ?? '';
        const list = (await r.obj({ ...ref, verb: 'list', params: { fieldSelector: `${f}=${value.replace(/([\\,=])/g, '\\$1')}` } })) as unknown as KubeList;
        expect(list.items.length, `field selector ${f}`).toBe(1);
      }
    });

    for (const bad of cases.invalid ?? []) {
      it(`refuses invalid: ${bad.name}`, async () => {
        fresh();
        const obj = { apiVersion: apiVersionOf(definition), kind: definition.kind, ...structuredClone(bad.object) };
        const err = await r.call({ ...ref, verb: 'create', body: obj, params: {} }).catch((e: unknown) => e);
        expect(isApiError(err), `expected an ApiError, got ${JSON.stringify(err)}`).toBe(true);
        if (!isApiError(err)) return;
        expect(err.code).toBe(bad.code ?? 422);
        if (bad.message) expect(err.message).toContain(bad.message);
      });
    }
  });
}
