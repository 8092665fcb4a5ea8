import type { ResourceDefinition } from '../../registry/index.js';
import { vendoredSchemas } from './vendored.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const OBJECT_META = `${META}.ObjectMeta`;
const LIST_META = `${META}.ListMeta`;

/** Upstream names CRD schemas with the group reversed: stable.example.com/v1 CronTab → com.example.stable.v1.CronTab. */
export function schemaName(def: Pick<ResourceDefinition, 'group' | 'version' | 'kind'>): string {
  return `${def.group.split('.').reverse().join('.')}.${def.version}.${def.kind}`;
}

function gvk(def: ResourceDefinition, kind = def.kind) {
  return [{ group: def.group, version: def.version, kind }];
}

/** The resource's schema with apiVersion, kind and metadata filled in as upstream publishes them. */
export function objectSchema(def: ResourceDefinition, ref: (name: string) => string): Record<string, unknown> {
  const base = (def.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as Record<string, unknown>;
  const props = { ...((base.properties as Record<string, unknown>) ?? {}) };
  props.apiVersion = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' };
  props.kind = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' };
  props.metadata = { $ref: ref(OBJECT_META), description: "Standard object's metadata." };
  return { ...base, type: 'object', properties: props, 'x-kubernetes-group-version-kind': gvk(def) };
}

function listSchema(def: ResourceDefinition, ref: (name: string) => string): Record<string, unknown> {
  return {
    type: 'object',
    description: `${def.kind}List is a list of ${def.kind}`,
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      items: { type: 'array', items: { $ref: ref(schemaName(def)) } },
      metadata: { $ref: ref(LIST_META) },
    },
    'x-kubernetes-group-version-kind': gvk(def, def.listKind),
  };
}

const WRITE_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation'];

function itemPath(def: ResourceDefinition): string {
  const base = `/apis/${def.group}/${def.version}`;
  return def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}/{name}` : `${base}/${def.plural}/{name}`;
}

function collectionPath(def: ResourceDefinition): string {
  return itemPath(def).slice(0, -'/{name}'.length);
}

/** A v3 document for one custom group-version: paths kubectl checks for fieldValidation, and schemas for explain. */
export function customV3Document(defs: ResourceDefinition[]): Record<string, unknown> {
  const ref = (n: string) => `#/components/schemas/${n}`;
  const q = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { ...vendoredSchemas('apis/apps/v1', [OBJECT_META, LIST_META]) };
  for (const def of defs) {
    const obj = { content: { 'application/json': { schema: { $ref: ref(schemaName(def)) } } } };
    const ext = { 'x-kubernetes-group-version-kind': gvk(def)[0], 'x-kubernetes-action': '' };
    paths[itemPath(def)] = {
      get: { ...ext, 'x-kubernetes-action': 'get', responses: { '200': { description: 'OK', ...obj } } },
      put: { ...ext, 'x-kubernetes-action': 'put', parameters: WRITE_PARAMS.map(q), requestBody: obj, responses: { '200': { description: 'OK', ...obj } } },
      patch: { ...ext, 'x-kubernetes-action': 'patch', parameters: [...WRITE_PARAMS, 'force'].map(q), responses: { '200': { description: 'OK', ...obj } } },
      delete: { ...ext, 'x-kubernetes-action': 'delete', parameters: ['dryRun'].map(q), responses: { '200': { description: 'OK' } } },
    };
    paths[collectionPath(def)] = {
      get: { ...ext, 'x-kubernetes-action': 'list', responses: { '200': { description: 'OK' } } },
      post: { ...ext, 'x-kubernetes-action': 'post', parameters: WRITE_PARAMS.map(q), requestBody: obj, responses: { '201': { description: 'Created', ...obj } } },
    };
    schemas[schemaName(def)] = objectSchema(def, ref);
    schemas[`${schemaName(def)}List`] = listSchema(def, ref);
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths, components: { schemas } };
}

/**
 * The additions a set of custom resources makes to the v2 document: definitions (schemas rewritten
 * from v3 `#/components/schemas` refs to v2 `#/definitions`) and PATCH paths with fieldValidation.
 */
export function customV2Additions(defs: ResourceDefinition[]): { definitions: Record<string, unknown>; paths: Record<string, unknown> } {
  const ref = (n: string) => `#/definitions/${n}`;
  const definitions: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  const q = (name: string) => ({ name, in: 'query', type: 'string', uniqueItems: true });
  for (const def of defs) {
    definitions[schemaName(def)] = toV2Schema(objectSchema(def, ref));
    definitions[`${schemaName(def)}List`] = toV2Schema(listSchema(def, ref));
    const ext = { 'x-kubernetes-group-version-kind': gvk(def)[0] };
    const ok = { '200': { description: 'OK', schema: { $ref: ref(schemaName(def)) } } };
    paths[itemPath(def)] = {
      get: { ...ext, 'x-kubernetes-action': 'get', responses: ok },
      put: { ...ext, 'x-kubernetes-action': 'put', parameters: [{ name: 'body', in: 'body', required: true, schema: { $ref: ref(schemaName(def)) } }, ...WRITE_PARAMS.map(q)], responses: ok },
      patch: { ...ext, 'x-kubernetes-action': 'patch', parameters: [{ name: 'body', in: 'body', required: true, schema: { type: 'object' } }, ...[...WRITE_PARAMS, 'force'].map(q)], responses: ok },
    };
  }
  return { definitions, paths };
}

/** v2 has no `nullable`, and v3-only keywords must go; refs are already in v2 form. */
function toV2Schema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toV2Schema);
  if (!s || typeof s !== 'object') return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'nullable' || k === 'oneOf' || k === 'anyOf' || k === 'not') continue;
    out[k] = toV2Schema(v);
  }
  return out;
}
