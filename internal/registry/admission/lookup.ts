import { ApiError, groupResourceString, type KubeObject } from '../../api/index.js';
import type { AdmissionAttributes } from '../admission.js';

/** Reads objects as the apiserver (from the watch cache): a namespace's items, or every item. */
export type AdmissionLister = (resource: { group: string; version: string; resource: string }, namespace?: string) => Promise<KubeObject[]>;

export const isPod = (a: AdmissionAttributes) => a.definition.group === '' && a.definition.plural === 'pods' && !a.subresource;

/** 403 for the object being admitted: `pods "x" is forbidden: <why>` (upstream's admission.NewForbidden). */
export function admissionForbidden(a: AdmissionAttributes, why: string): ApiError {
  const gr = groupResourceString({ group: a.definition.group, resource: a.definition.plural });
  const name = a.name || a.object?.metadata.generateName || '';
  return new ApiError('Forbidden', `${gr} "${name}" is forbidden: ${why}`, {
    details: { name, ...(a.definition.group ? { group: a.definition.group } : {}), kind: a.definition.plural },
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pod specs are walked loosely
export type Loose = Record<string, any>;

/** Every container of a pod spec (init and regular), for checks that treat them alike. */
export function podContainers(spec: Loose): Loose[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}
