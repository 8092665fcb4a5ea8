import { builtinSchema, findUnknownFields, schemaFrom, type KubeObject, type Schema } from '../../api/index.js';
import type { ResourceDefinition } from '../definition.js';

const cache = new WeakMap<ResourceDefinition, Schema | null>();

/**
 * The navigable schema of a served resource, for strategic merge patch, server-side apply and
 * unknown-field detection: the CRD version's schema for custom resources, upstream's vendored
 * schema for built-ins (undefined when there is none).
 */
export function schemaFor(def: ResourceDefinition): Schema | undefined {
  let s = cache.get(def);
  if (s === undefined) {
    s = (def.openAPIV3Schema ? schemaFrom(def.openAPIV3Schema) : builtinSchema({ group: def.group, version: def.version, kind: def.kind })) ?? null;
    cache.set(def, s);
  }
  return s ?? undefined;
}

/** Unknown fields of a built-in object by its vendored schema (the default fieldValidation checker). */
export function builtinUnknownFields(def: ResourceDefinition, obj: KubeObject): string[] {
  const schema = def.custom ? undefined : schemaFor(def);
  return schema ? findUnknownFields(schema, obj) : [];
}
