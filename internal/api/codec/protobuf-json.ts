import type protobuf from 'protobufjs';
import { type GoFieldInfo, type ProtoSchema, fullName } from './protobuf-schema.js';
import { type NestedCodec, SPECIAL_TYPES, type SpecialCodec, num } from './protobuf-special.js';
import { lazyModule } from '../../util/index.js';

// Loaded on first use: most processes never see a protobuf body, and loading it slows every start.
const pb = lazyModule<typeof protobuf>('protobufjs');

/**
 * Converts between decoded protobufjs messages and the Kubernetes JSON form, applying what Go's
 * encoding/json does with the same structs (json names, omitempty, pointers, inline structs,
 * custom MarshalJSON types). Go always writes non-pointer fields to protobuf, so "present on the
 * wire" plus the Go facts reproduces the JSON a Go client would have sent.
 */

type Plain = Record<string, unknown>;

const APIEXT_SCHEMA = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';

function has(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const NUMERIC = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', ...INT64]);

function scalarToJson(type: string, v: unknown): unknown {
  if (type === 'bytes') return v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v;
  if (INT64.has(type)) return num(v);
  return v;
}

function isZeroScalar(type: string, v: unknown): boolean {
  if (type === 'bytes') return !(v instanceof Uint8Array) || v.length === 0;
  if (NUMERIC.has(type)) return num(v) === 0;
  return v === '' || v === false || v === undefined || v === null;
}

function zeroScalar(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  if (type === 'bytes') return null; // Go nil []byte
  return 0;
}

export interface JsonCodec {
  toJson(type: protobuf.Type, msg: object): unknown;
  fromJson(type: protobuf.Type, value: unknown): Plain;
}

/** `rawToJson` decodes RawExtension bytes (JSON, or a nested protobuf envelope). */
interface FieldPlan {
  field: protobuf.Field;
  name: string;
  info: GoFieldInfo;
  isMap: boolean;
  repeated: boolean;
  sub?: protobuf.Type;
}

interface TypePlan {
  special?: SpecialCodec;
  wrapper: boolean;
  fields: FieldPlan[];
}

export function createJsonCodec(schema: ProtoSchema, rawToJson: (b: Uint8Array) => unknown): JsonCodec {
  const schemaType = () => schema.root.lookupType(APIEXT_SCHEMA);
  // Reflection lookups are precomputed once per message type: decoding is on the request path.
  const plans = new WeakMap<protobuf.Type, TypePlan>();
  const planOf = (type: protobuf.Type): TypePlan => {
    let plan = plans.get(type);
    if (!plan) {
      plan = {
        special: SPECIAL_TYPES[fullName(type)],
        wrapper: schema.isArrayWrapper(type),
        fields: type.fieldsArray
          .map((field) => ({
            field,
            name: field.name,
            info: schema.fieldInfo(type, field.name),
            isMap: field instanceof pb().MapField,
            repeated: field.repeated,
            sub: field.resolvedType instanceof pb().Type ? field.resolvedType : undefined,
          }))
          .filter((f) => !f.info.skip),
      };
      plans.set(type, plan);
    }
    return plan;
  };
  const nested: NestedCodec = {
    schemaToJson: (m) => toJson(schemaType(), m as object),
    schemaFromJson: (v) => fromJson(schemaType(), v),
    rawToJson,
  };

  function valueToJson(field: protobuf.Field, v: unknown): unknown {
    return field.resolvedType instanceof pb().Type ? toJson(field.resolvedType, v as object) : scalarToJson(field.type, v);
  }

  function toJson(type: protobuf.Type, msg: object): unknown {
    const plan = planOf(type);
    if (plan.special) return plan.special.toJson(msg as Plain, nested);
    if (plan.wrapper) {
      const items = (msg as Plain).items;
      return Array.isArray(items) && items.length > 0 ? [...items] : null;
    }
    const out: Plain = {};
    for (const { field, name, info, isMap, repeated, sub } of plan.fields) {
      const present = has(msg, name);
      const v = (msg as Plain)[name];
      if (isMap || repeated) {
        const empty = !present || (Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0);
        if (empty) {
          if (!info.omitempty) out[info.json] = null; // Go: nil slice or map
        } else if (Array.isArray(v)) {
          out[info.json] = v.map((e) => valueToJson(field, e));
        } else {
          out[info.json] = Object.fromEntries(Object.entries(v as Plain).map(([k, e]) => [k, valueToJson(field, e)]));
        }
      } else if (sub) {
        if (!present && info.pointer) continue;
        const json = toJson(sub, present ? (v as object) : sub.create());
        if (info.inline && json && typeof json === 'object') Object.assign(out, json);
        else out[info.json] = json;
      } else if (present) {
        if (info.pointer || !info.omitempty || !isZeroScalar(field.type, v)) out[info.json] = scalarToJson(field.type, v);
      } else if (!info.pointer && !info.omitempty) {
        out[info.json] = zeroScalar(field.type);
      }
    }
    return out;
  }

  function valueFromJson(field: protobuf.Field, v: unknown): unknown {
    if (field.resolvedType instanceof pb().Type) return fromJson(field.resolvedType, v);
    if (field.type === 'bytes') return typeof v === 'string' ? Buffer.from(v, 'base64') : v;
    if (INT64.has(field.type) && typeof v === 'number') return String(Math.trunc(v));
    return v;
  }

  function fromJson(type: protobuf.Type, value: unknown): Plain {
    const plan = planOf(type);
    if (plan.special) return plan.special.fromJson(value, nested);
    if (plan.wrapper) return Array.isArray(value) ? { items: value } : {};
    const json = value && typeof value === 'object' ? (value as Plain) : {};
    const out: Plain = {};
    for (const { field, info } of plan.fields) {
      const v = info.inline ? json : json[info.json];
      if (field instanceof pb().MapField) {
        if (v && typeof v === 'object') out[field.name] = Object.fromEntries(Object.entries(v as Plain).map(([k, e]) => [k, valueFromJson(field, e)]));
      } else if (field.repeated) {
        if (Array.isArray(v) && v.length > 0) out[field.name] = v.map((e) => valueFromJson(field, e));
      } else if (v === undefined || v === null) {
        // Go writes every non-pointer field, zero or not; pointers only when set.
        if (info.pointer) continue;
        if (field.resolvedType instanceof pb().Type) out[field.name] = fromJson(field.resolvedType, v);
        else if (field.type !== 'bytes') out[field.name] = zeroScalar(field.type);
      } else {
        out[field.name] = valueFromJson(field, v);
      }
    }
    return out;
  }

  return { toJson, fromJson };
}
