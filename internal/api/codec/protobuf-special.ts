import { formatGoDuration, parseGoDurationNs } from './go-duration.js';
import { formatMicroTime, formatTime, parseTime } from './go-time.js';

/**
 * Messages whose Go type has its own JSON form (custom MarshalJSON): time stamps, durations,
 * int-or-string, quantities, raw JSON. Each entry converts a decoded protobufjs message to JSON
 * and a JSON value back to a plain object for Type.fromObject. `nested` handles the recursive
 * JSONSchemaProps cases and embedded envelopes.
 */
export interface SpecialCodec {
  toJson(msg: Record<string, unknown>, nested: NestedCodec): unknown;
  fromJson(value: unknown, nested: NestedCodec): Record<string, unknown>;
}

export interface NestedCodec {
  /** JSON of a JSONSchemaProps message (apiextensions). */
  schemaToJson(msg: unknown): unknown;
  schemaFromJson(value: unknown): Record<string, unknown>;
  /** A RawExtension may hold a whole protobuf envelope (k8s\0...) instead of JSON. */
  rawToJson(bytes: Uint8Array): unknown;
}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const APIEXT = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1';

export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v ?? 0);
}

function bigint(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (v && typeof v === 'object' && 'toString' in v && 'low' in v) return BigInt((v as { toString(): string }).toString());
  return BigInt(Math.trunc(Number(v ?? 0)));
}

function has(msg: Record<string, unknown>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(msg, key);
}

function bytesOf(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array && v.length > 0 ? v : undefined;
}

function jsonBytes(v: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(v));
}

function parseJsonBytes(b: Uint8Array | undefined): unknown {
  return b ? JSON.parse(Buffer.from(b).toString('utf8')) : null;
}

const time: SpecialCodec = {
  // An empty Time message is Go's zero time, which JSON renders as null (creationTimestamp: null).
  toJson: (m) => (has(m, 'seconds') || has(m, 'nanos') ? formatTime(num(m.seconds)) : null),
  fromJson: (v) => (typeof v === 'string' ? { seconds: parseTime(v).seconds } : {}),
};

const microTime: SpecialCodec = {
  toJson: (m) => (has(m, 'seconds') || has(m, 'nanos') ? formatMicroTime(num(m.seconds), num(m.nanos)) : null),
  fromJson: (v) => (typeof v === 'string' ? parseTime(v) : {}),
};

export const SPECIAL_TYPES: Record<string, SpecialCodec> = {
  [`${META}.Time`]: time,
  [`${META}.MicroTime`]: microTime,
  [`${META}.Duration`]: {
    toJson: (m) => formatGoDuration(bigint(m.duration)),
    fromJson: (v) => ({ duration: typeof v === 'string' ? parseGoDurationNs(v).toString() : '0' }),
  },
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
    toJson: (m) => (num(m.type) === 1 ? String(m.strVal ?? '') : num(m.intVal)),
    fromJson: (v) => (typeof v === 'string' ? { type: 1, intVal: 0, strVal: v } : { type: 0, intVal: num(v), strVal: '' }),
  },
  'k8s.io.apimachinery.pkg.api.resource.Quantity': {
    toJson: (m) => (typeof m.string === 'string' && m.string !== '' ? m.string : '0'),
    fromJson: (v) => ({ string: v === null || v === undefined ? '0' : String(v) }),
  },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': {
    toJson: (m, nested) => {
      const b = bytesOf(m.raw);
      return b ? nested.rawToJson(b) : null;
    },
    fromJson: (v) => (v === null || v === undefined ? {} : { raw: jsonBytes(v) }),
  },
  [`${META}.FieldsV1`]: {
    toJson: (m) => parseJsonBytes(bytesOf(m.Raw)),
    fromJson: (v) => (v === null || v === undefined ? {} : { Raw: jsonBytes(v) }),
  },
  [`${APIEXT}.JSON`]: {
    toJson: (m) => parseJsonBytes(bytesOf(m.raw)),
    fromJson: (v) => (v === undefined ? {} : { raw: jsonBytes(v) }),
  },
  [`${APIEXT}.JSONSchemaPropsOrArray`]: {
    toJson: (m, n) => (Array.isArray(m.jSONSchemas) && m.jSONSchemas.length > 0 ? m.jSONSchemas.map((s) => n.schemaToJson(s)) : has(m, 'schema') ? n.schemaToJson(m.schema) : null),
    fromJson: (v, n) => (Array.isArray(v) ? { jSONSchemas: v.map((s) => n.schemaFromJson(s)) } : v ? { schema: n.schemaFromJson(v) } : {}),
  },
  [`${APIEXT}.JSONSchemaPropsOrBool`]: {
    toJson: (m, n) => (has(m, 'schema') ? n.schemaToJson(m.schema) : m.allows === true),
    fromJson: (v, n) => (typeof v === 'boolean' ? { allows: v } : v ? { allows: true, schema: n.schemaFromJson(v) } : {}),
  },
  [`${APIEXT}.JSONSchemaPropsOrStringArray`]: {
    toJson: (m, n) => (Array.isArray(m.property) && m.property.length > 0 ? [...m.property] : has(m, 'schema') ? n.schemaToJson(m.schema) : null),
    fromJson: (v, n) => (Array.isArray(v) ? { property: v } : v ? { schema: n.schemaFromJson(v) } : {}),
  },
};
