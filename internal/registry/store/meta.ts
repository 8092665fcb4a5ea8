import {
  ApiError,
  type FieldError,
  type KubeObject,
  generateNameFrom,
  nameIsDNSSubdomain,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../api/index.js';
import type { Rand } from '../../util/index.js';
import type { ResourceDefinition } from '../definition.js';
import { clone, deepEqual, rfc3339, specPart, tracksGeneration } from './util.js';

/**
 * Server-owned metadata on create (upstream FillObjectMetaSystemFields + BeforeCreate): a fresh uid
 * and creationTimestamp, no deletion fields, generation 1 where tracked. resourceVersion must not be
 * sent; selfLink is gone since 1.20.
 */
export function fillCreateMeta(def: ResourceDefinition, obj: KubeObject, now: number, newUid: () => string): void {
  if (obj.metadata.resourceVersion) throw new ApiError('BadRequest', 'resourceVersion should not be set on objects to be created');
  obj.metadata.uid = newUid();
  obj.metadata.creationTimestamp = rfc3339(now);
  delete obj.metadata.deletionTimestamp;
  delete obj.metadata.deletionGracePeriodSeconds;
  delete obj.metadata.selfLink;
  if (tracksGeneration(def, obj)) obj.metadata.generation = 1;
  else delete obj.metadata.generation;
}

/** Turns generateName into a name (after prepareForCreate, as upstream does). */
export function applyGenerateName(obj: KubeObject, rand: Rand): void {
  if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateNameFrom(obj.metadata.generateName, rand);
}

const KUBE_FINALIZER_RULE = 'name is neither a standard finalizer name nor is it fully qualified';

export function validateCreateMeta(def: ResourceDefinition, obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, { namespaced: def.namespaced, nameFn: def.nameValidation ?? nameIsDNSSubdomain });
  // Core's finalizer-name rule is Kubernetes' own validation; apiextensions (CRDs and custom
  // resources) validate with apimachinery only, and its own cleanup finalizer has no "/".
  const apimachineryOnly = def.custom === true || def.group === 'apiextensions.k8s.io';
  return apimachineryOnly ? errs.filter((e) => e.detail !== KUBE_FINALIZER_RULE) : errs;
}

/**
 * Carries what an update may not change from the old object (upstream BeforeUpdate): uid when
 * omitted, creationTimestamp, deletion fields and generation (the strategy runs after this).
 */
export function keepUpdateMeta(obj: KubeObject, old: KubeObject): void {
  const m = obj.metadata;
  const o = old.metadata;
  if (!m.uid) m.uid = o.uid;
  if (o.creationTimestamp) m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  if (o.generation !== undefined) m.generation = o.generation;
  else delete m.generation;
  delete m.selfLink;
}

/** Bumps generation when anything outside metadata and status changed (after prepareForUpdate). */
export function bumpGeneration(def: ResourceDefinition, obj: KubeObject, old: KubeObject): void {
  if (!tracksGeneration(def, obj)) return;
  const base = old.metadata.generation ?? 0;
  obj.metadata.generation = deepEqual(specPart(obj), specPart(old)) ? Math.max(base, 1) : base + 1;
}

export function validateUpdateMeta(obj: KubeObject, old: KubeObject): FieldError[] {
  return validateObjectMetaUpdate(obj.metadata, old.metadata);
}

/** A private, fully-formed copy of a request body (metadata always present). */
export function ownCopy(obj: KubeObject): KubeObject {
  const out = clone(obj);
  if (typeof out.metadata !== 'object' || out.metadata === null || Array.isArray(out.metadata)) out.metadata = {};
  return out;
}
