import { fieldErrors, isDNS1123Label, isDNS1123Subdomain, type FieldError, type KubeObject } from '../../api/index.js';
import type { ResourceDefinition, TableColumn } from '../definition.js';
import { STANDARD_VERBS } from '../definition.js';
import type { ResourceStrategy } from '../strategy.js';
import { statusStrategy } from '../store/strategies.js';
import { rfc3339 } from '../store/util.js';
import { celRuleErrors } from './cel-check.js';
import type { Schema } from './prune.js';
import { CRD_CLEANUP_FINALIZER, type CrdCondition, type CrdSpec } from './types.js';
import { deprecationWarningErrors } from './deprecation.js';

const spec = (o: KubeObject) => (o.spec ?? {}) as CrdSpec;

/** Defaults upstream applies to a CRD spec (names.singular, names.listKind, conversion None). */
function defaultSpec(obj: KubeObject): void {
  const s = (obj.spec ??= {}) as CrdSpec;
  s.names ??= { plural: '', kind: '' };
  if (s.names.kind) {
    s.names.singular ||= s.names.kind.toLowerCase();
    s.names.listKind ||= `${s.names.kind}List`;
  }
  s.conversion ??= { strategy: 'None' };
}

function condition(type: string, reason: string, message: string, now: number): CrdCondition {
  return { type, status: 'True', lastTransitionTime: rfc3339(now), reason, message };
}

/** Status as the upstream CRD controllers leave it once names are accepted and the API is served. */
function acceptedStatus(obj: KubeObject, now: number, old?: KubeObject): Record<string, unknown> {
  const s = spec(obj);
  const prev = (old?.status ?? {}) as { conditions?: CrdCondition[]; storedVersions?: string[] };
  const storage = s.versions?.find((v) => v.storage)?.name;
  const stored = new Set(prev.storedVersions ?? []);
  if (storage) stored.add(storage);
  const conditions = prev.conditions?.length
    ? prev.conditions
    : [condition('NamesAccepted', 'NoConflicts', 'no conflicts found', now), condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted', now)];
  return { ...(old?.status as object), conditions, acceptedNames: { ...s.names }, storedVersions: [...stored] };
}

export const crdStrategy: ResourceStrategy = {
  namespaced: false,
  prepareForCreate(obj, ctx) {
    defaultSpec(obj);
    obj.status = acceptedStatus(obj, ctx.now);
    const finalizers = obj.metadata.finalizers ?? [];
    if (!finalizers.includes(CRD_CLEANUP_FINALIZER)) obj.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
  },
  validate: (obj) => validateCrd(obj),
  prepareForUpdate(obj, old, ctx) {
    defaultSpec(obj);
    obj.status = acceptedStatus(obj, ctx.now, old);
  },
  validateUpdate(obj, old) {
    const errs = validateCrd(obj);
    if (spec(obj).scope !== spec(old).scope) errs.push(fieldErrors.invalid('spec.scope', spec(obj).scope, 'field is immutable'));
    return errs;
  },
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: false,
};

/** Validates the parts of a CRD the registry relies on, with upstream's messages. */
export function validateCrd(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec(obj);
  const names = s.names ?? { plural: '', kind: '' };
  if (!s.group) errs.push(fieldErrors.required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(s.group)) errs.push(fieldErrors.invalid('spec.group', s.group, m));
    if (!s.group.includes('.')) errs.push(fieldErrors.invalid('spec.group', s.group, 'should be a domain with at least one dot'));
  }
  if (obj.metadata.name !== `${names.plural}.${s.group}`) {
    errs.push(fieldErrors.invalid('metadata.name', obj.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  for (const [field, value] of [['plural', names.plural], ['singular', names.singular]] as const) {
    if (field === 'plural' && !value) errs.push(fieldErrors.required('spec.names.plural'));
    else if (value) for (const m of isDNS1123Label(value)) errs.push(fieldErrors.invalid(`spec.names.${field}`, value, m));
  }
  if (!names.kind) errs.push(fieldErrors.required('spec.names.kind'));
  for (const [i, sn] of (names.shortNames ?? []).entries()) for (const m of isDNS1123Label(sn)) errs.push(fieldErrors.invalid(`spec.names.shortNames[${i}]`, sn, m));
  if (s.scope !== 'Namespaced' && s.scope !== 'Cluster') errs.push(fieldErrors.notSupported('spec.scope', s.scope ?? '', ['Cluster', 'Namespaced']));
  errs.push(...validateVersions(s));
  return errs;
}

function validateVersions(s: CrdSpec): FieldError[] {
  const errs: FieldError[] = [];
  const versions = s.versions ?? [];
  if (versions.length === 0) return [fieldErrors.required('spec.versions')];
  const seen = new Set<string>();
  // Upstream's internal CRD holds one top-level schema when every version has the same one, and
  // reports its errors once, under spec.validation.
  const shared = versions.length > 0 && versions.every((v) => v.schema?.openAPIV3Schema && JSON.stringify(v.schema.openAPIV3Schema) === JSON.stringify(versions[0]!.schema?.openAPIV3Schema));
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    for (const m of isDNS1123Label(v.name ?? '')) errs.push(fieldErrors.invalid(`${at}.name`, v.name, m));
    if (seen.has(v.name)) errs.push(fieldErrors.duplicate(`${at}.name`, v.name));
    seen.add(v.name);
    errs.push(...deprecationWarningErrors(v, at));
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) errs.push(fieldErrors.required(`${at}.schema.openAPIV3Schema`, 'schemas are required'));
    else if (!shared || i === 0) {
      const path = shared ? 'spec.validation.openAPIV3Schema' : `${at}.schema.openAPIV3Schema`;
      errs.push(...structuralErrors(schema, path, true), ...celRuleErrors(schema, path));
    }
  });
  const storage = versions.filter((v) => v.storage).length;
  if (storage !== 1) errs.push(fieldErrors.invalid('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  if (!versions.some((v) => v.served)) errs.push(fieldErrors.invalid('spec.versions', versions.map((v) => v.name), 'must serve at least one version'));
  return errs;
}

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

/** The structural-schema basics: a type everywhere it is needed, object at the root, items on arrays. */
function structuralErrors(s: Schema, path: string, root: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const free = s['x-kubernetes-int-or-string'] === true || s['x-kubernetes-preserve-unknown-fields'] === true;
  if (root && s.type !== 'object') {
    errs.push(s.type ? fieldErrors.invalid(`${path}.type`, s.type, 'must be object at the root') : fieldErrors.required(`${path}.type`, 'must not be empty at the root'));
  } else if (!s.type && !free) {
    errs.push(fieldErrors.required(`${path}.type`, 'must not be empty for specified object fields'));
  } else if (s.type && !TYPES.has(s.type)) {
    errs.push(fieldErrors.notSupported(`${path}.type`, s.type, [...TYPES]));
  }
  if (s.type === 'array' && !s.items) errs.push(fieldErrors.required(`${path}.items`, 'must be specified'));
  for (const [k, child] of Object.entries(s.properties ?? {})) errs.push(...structuralErrors(child, `${path}.properties[${k}]`, false));
  if (s.items) errs.push(...structuralErrors(s.items, `${path}.items`, false));
  if (typeof s.additionalProperties === 'object') errs.push(...structuralErrors(s.additionalProperties, `${path}.additionalProperties`, false));
  return errs;
}

const createdAt: TableColumn = {
  name: 'Created At',
  type: 'date',
  description:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  priority: 0,
  cell: (o) => o.metadata.creationTimestamp ?? null,
};

/** apiextensions.k8s.io/v1 CustomResourceDefinition. */
export const crdDefinition: ResourceDefinition = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  namespaced: false,
  strategy: crdStrategy,
  verbs: STANDARD_VERBS,
  subresources: [{ name: 'status', verbs: ['get', 'patch', 'update'], strategy: statusStrategy(crdStrategy) }],
  columns: [createdAt],
  trackGeneration: true,
};
