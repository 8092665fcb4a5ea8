import type { KubeObject } from '../../api/index.js';
import type { AdmissionAttributes } from '../admission.js';
import type { ResourceDefinition } from '../definition.js';

/** The other served versions of a resource (same group and plural), preferred first. */
export type Equivalents = (def: ResourceDefinition) => ResourceDefinition[];

/** An object of one version in another version's shape (through storage when the versions convert). */
export function convertObject(obj: KubeObject, from: ResourceDefinition, to: ResourceDefinition): KubeObject {
  if (from === to) return obj;
  const stored = from.convert ? from.convert.toStored(structuredClone(obj)) : structuredClone(obj);
  const out = to.convert ? to.convert.fromStored(stored) : stored;
  return { ...out, apiVersion: to.group ? `${to.group}/${to.version}` : to.version };
}

/** The request as seen through another version of its resource; `requestDefinition` keeps what was asked. */
export function asVersion(a: AdmissionAttributes, to: ResourceDefinition): AdmissionAttributes {
  const from = a.definition;
  return {
    ...a,
    definition: to,
    requestDefinition: a.requestDefinition ?? from,
    object: a.object && convertObject(a.object, from, to),
    oldObject: a.oldObject && convertObject(a.oldObject, from, to),
  };
}

/**
 * Upstream's matchPolicy: the request itself when `matches` holds for it; under Equivalent (the
 * default) else the request converted to the first other served version of the same resource for
 * which it holds; undefined when none does.
 */
export function matchWithPolicy(
  a: AdmissionAttributes,
  matchPolicy: string | undefined,
  equivalents: Equivalents | undefined,
  matches: (x: AdmissionAttributes) => boolean,
): AdmissionAttributes | undefined {
  if (matches(a)) return a;
  if (matchPolicy === 'Exact' || !equivalents) return undefined;
  for (const def of equivalents(a.definition)) {
    const b = asVersion(a, def);
    if (matches(b)) return b;
  }
  return undefined;
}

/** Writes what a webhook made of a converted object back into the request's own object (in place: the pipeline holds it). */
export function mergeBack(a: AdmissionAttributes, seen: AdmissionAttributes): void {
  if (seen === a || !seen.object || !a.object) return;
  const back = convertObject(seen.object, seen.definition, a.definition);
  for (const k of Object.keys(a.object)) delete (a.object as Record<string, unknown>)[k];
  Object.assign(a.object, back);
}
