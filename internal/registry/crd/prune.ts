import { isObject } from '../store/util.js';

/** One CEL rule of x-kubernetes-validations (apiextensions ValidationRule). */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** The structural-schema subset the registry reads (apiextensions JSONSchemaProps). */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  default?: unknown;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
  description?: string;
}

/**
 * Prunes `value` in place by the structural schema, as the apiextensions server does by default:
 * object fields the schema does not name are dropped, unless x-kubernetes-preserve-unknown-fields
 * keeps them. At the root (and in embedded resources) apiVersion, kind and metadata always stay.
 * Returns the dropped fields' paths ("spec.foo", "spec.items[0].bar") for fieldValidation.
 */
export function prune(value: unknown, schema: Schema | undefined, root = true): string[] {
  const dropped: string[] = [];
  walk(value, schema, '', root, dropped);
  return dropped;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walk(value: unknown, schema: Schema | undefined, path: string, embedded: boolean, dropped: string[]): void {
  if (!schema || schema['x-kubernetes-int-or-string']) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, schema.items, `${path}[${i}]`, !!schema.items?.['x-kubernetes-embedded-resource'], dropped));
    return;
  }
  if (!isObject(value)) return;
  const props = schema.properties ?? {};
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true || schema.additionalProperties === true;
  for (const key of Object.keys(value)) {
    // ObjectMeta is checked by the store, not the schema (CRD schemas say only "type: object").
    if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const child = props[key] ?? additional;
    if (child) walk(value[key], child, join(path, key), !!child['x-kubernetes-embedded-resource'], dropped);
    else if (!preserve) {
      dropped.push(join(path, key));
      delete value[key];
    }
  }
}
