import { type FieldError, type KubeObject, apiVersionOf } from '../../api/index.js';
import type { ResourceDefinition, ScalePaths, SubresourceDefinition, TableColumn } from '../definition.js';
import { evaluateJsonPath, parseJsonPath } from '../jsonpath.js';
import { since } from '../resources/shared/time.js';
import { STANDARD_VERBS } from '../definition.js';
import type { ResourceStrategy } from '../strategy.js';
import { statusStrategy } from '../store/strategies.js';
import { prune, type Schema } from './prune.js';
import { hasRules, validateRules } from './cel-validate.js';
import { applyDefaults, validateBySchema } from './schema-validate.js';
import type { CrdSpec, CrdVersion, PrinterColumn } from './types.js';
import { deprecationWarningOf } from './deprecation.js';

/**
 * The served definitions of one CustomResourceDefinition: one per served version, all sharing the
 * storage of the group and plural (a stored object keeps the apiVersion it was written with;
 * reads rewrite apiVersion, as the "None" conversion strategy does).
 */
export function crdToDefinitions(crd: KubeObject): ResourceDefinition[] {
  const spec = crd.spec as CrdSpec;
  const storage = spec.versions.find((v) => v.storage) ?? spec.versions[0]!;
  return spec.versions.filter((v) => v.served).map((v) => versionDefinition(spec, v, storage.name));
}

function versionDefinition(spec: CrdSpec, v: CrdVersion, storageVersion: string): ResourceDefinition {
  const namespaced = spec.scope === 'Namespaced';
  const schema = v.schema?.openAPIV3Schema;
  const hasStatus = v.subresources?.status !== undefined;
  const strategy = customResourceStrategy(namespaced, schema, hasStatus, v);
  const subresources: SubresourceDefinition[] = [];
  if (hasStatus) {
    // A status write is validated as a whole object, CEL rules included (oldSelf = the stored object).
    const status: ResourceStrategy = { ...statusStrategy(strategy), validateUpdate: (obj, old) => validateCustomResource(obj, old, schema) };
    subresources.push({ name: 'status', verbs: ['get', 'patch', 'update'], strategy: status });
  }
  const scale = v.subresources?.scale;
  if (scale) {
    const paths: ScalePaths = { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath };
    subresources.push({ name: 'scale', verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, scale: paths });
  }
  const gv = { group: spec.group, version: v.name };
  const storedApiVersion = apiVersionOf({ group: spec.group, version: storageVersion });
  return {
    group: spec.group,
    version: v.name,
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    plural: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    shortNames: spec.names.shortNames,
    categories: spec.names.categories,
    namespaced,
    strategy,
    verbs: STANDARD_VERBS,
    subresources,
    columns: printerColumns(v.additionalPrinterColumns),
    custom: true,
    ...(v.deprecated ? { deprecationWarning: deprecationWarningOf(spec, v) } : {}),
    trackGeneration: true,
    openAPIV3Schema: schema as Record<string, unknown> | undefined,
    convert: {
      toStored: (obj) => ({ ...obj, apiVersion: storedApiVersion }),
      fromStored: (obj) => ({ ...obj, apiVersion: apiVersionOf(gv) }),
    },
  };
}

/**
 * Custom resources: prune unknown fields, apply schema defaults, validate against the structural
 * schema and its x-kubernetes-validations rules. With a status subresource, writes to the main
 * resource keep the old status.
 */
function customResourceStrategy(namespaced: boolean, schema: Schema | undefined, hasStatus: boolean, v: CrdVersion): ResourceStrategy {
  const normalize = (obj: KubeObject) => {
    if (!schema) return;
    prune(obj, schema);
    applyDefaults(obj, schema);
  };
  const fields = (v.selectableFields ?? []).map((f) => ({ name: f.jsonPath.replace(/^\./, ''), path: parseJsonPath(f.jsonPath) }));
  return {
    namespaced,
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status;
      normalize(obj);
    },
    validate: (obj) => validateCustomResource(obj, undefined, schema),
    prepareForUpdate(obj, old) {
      if (hasStatus) {
        if ('status' in old) obj.status = old.status;
        else delete obj.status;
      }
      normalize(obj);
    },
    validateUpdate: (obj, old) => validateCustomResource(obj, old, schema),
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,
    selectableFields: fields.length
      ? (obj) => Object.fromEntries(fields.map((f) => [f.name, stringOf(evaluateJsonPath(f.path, obj)[0])]))
      : undefined,
  };
}

/**
 * Schema errors, then the CEL rules, unless a value has the wrong type or an unsupported value
 * (upstream's blocking errors: the rules would see data they were not written for).
 */
function validateCustomResource(obj: KubeObject, old: KubeObject | undefined, schema: Schema | undefined): FieldError[] {
  const errs = validateBySchema(obj, schema);
  if (!hasRules(schema)) return errs;
  if (errs.some((e) => e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueNotSupported')) {
    return [...errs, { type: 'FieldValueInvalid', field: '<nil>', value: 'null', detail: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' }];
  }
  return [...errs, ...validateRules(obj, old, schema)];
}

function stringOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** additionalPrinterColumns as Table columns (Age alone when none are declared, as upstream). */
export function printerColumns(cols: PrinterColumn[] | undefined): TableColumn[] {
  const list = cols && cols.length ? cols : [AGE];
  return list.map((c) => {
    const path = parseJsonPath(c.jsonPath);
    const type = (['string', 'integer', 'number', 'boolean', 'date'].includes(c.type) ? c.type : 'string') as TableColumn['type'];
    return {
      name: c.name,
      type,
      ...(c.format ? { format: c.format } : {}),
      description: c.description ?? '',
      priority: c.priority ?? 0,
      cell: (obj, now) => cellValue(evaluateJsonPath(path, obj)[0], type, now),
    };
  });
}

function cellValue(v: unknown, type: TableColumn['type'], now: number): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  switch (type) {
    case 'date':
      return typeof v === 'string' ? since(v, now) : null;
    case 'integer':
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}
