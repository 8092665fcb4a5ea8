// Test-only helpers: drive a definition's strategy the way the generic store does.
import type { FieldError, KubeObject } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import type { RequestContext } from '../../strategy.js';
import { clone } from './object.js';
import { nameIsDNSSubdomain, validateObjectMetaFields } from './validation.js';

export const NOW = Date.parse('2026-11-23T10:00:00Z');
export const ctx: RequestContext = { user: { name: 'admin', groups: ['system:masters'] }, now: NOW, dryRun: false };

/** create: system fields, prepareForCreate, validate. Returns the stored object and the errors. */
export function create(def: ResourceDefinition, input: KubeObject): { obj: KubeObject; errs: FieldError[] } {
  const obj = clone(input);
  obj.metadata = { ...obj.metadata };
  if (def.namespaced && !obj.metadata.namespace) obj.metadata.namespace = 'default';
  obj.metadata.uid ??= '6b4c2a1e-0000-4000-8000-000000000001';
  obj.metadata.creationTimestamp ??= '2026-11-23T09:59:00Z';
  def.strategy.prepareForCreate(obj, ctx);
  // The store validates ObjectMeta before the strategy, with the definition's name rule.
  const metaErrs = validateObjectMetaFields(obj.metadata, { namespaced: def.namespaced, nameFn: def.nameValidation ?? nameIsDNSSubdomain });
  return { obj, errs: [...metaErrs, ...def.strategy.validate(obj, ctx)] };
}

/** update through the main resource or a subresource strategy. */
export function update(def: ResourceDefinition, next: KubeObject, old: KubeObject, sub?: string): { obj: KubeObject; errs: FieldError[] } {
  const strategy = sub ? def.subresources?.find((s) => s.name === sub)?.strategy : def.strategy;
  if (!strategy) throw new Error(`no strategy for ${sub ?? 'main'}`);
  const obj = clone(next);
  obj.metadata = { ...old.metadata, ...obj.metadata, resourceVersion: old.metadata.resourceVersion ?? '1' };
  strategy.prepareForUpdate(obj, old, ctx);
  return { obj, errs: strategy.validateUpdate(obj, old, ctx) };
}

/** Cells by column name. */
export function row(def: ResourceDefinition, obj: KubeObject, now = NOW): Record<string, unknown> {
  return Object.fromEntries((def.columns ?? []).map((c) => [c.name, c.cell(obj, now)]));
}

export function fields(errs: FieldError[]): string[] {
  return errs.map((e) => e.field);
}

/** create plus the strategy's beginCreate (Service addresses): the message of a refused reservation. */
export async function createReserving(def: ResourceDefinition, input: KubeObject): Promise<{ obj: KubeObject; errs: FieldError[]; refused?: string }> {
  const out = create(def, input);
  if (out.errs.length) return out;
  try {
    const finish = await def.strategy.beginCreate?.(out.obj, ctx);
    await finish?.(true);
    return out;
  } catch (err) {
    return { ...out, refused: (err as Error).message };
  }
}

/** update plus the strategy's beginUpdate. */
export async function updateReserving(def: ResourceDefinition, next: KubeObject, old: KubeObject): Promise<{ obj: KubeObject; errs: FieldError[] }> {
  const out = update(def, next, old);
  if (out.errs.length) return out;
  const finish = await def.strategy.beginUpdate?.(out.obj, old, ctx);
  await finish?.(true);
  return out;
}
