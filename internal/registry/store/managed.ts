import { apiErrors, apiVersionOf, applyConfig, lastAppliedFields, managerName, trackUpdate, type KubeObject, type WriteContext } from '../../api/index.js';
import type { ResourceDefinition } from '../definition.js';
import { schemaFor } from './schema.js';
import type { StoreContext } from './types.js';
import { isObject, rfc3339, sameFields } from './util.js';

/**
 * managedFields bookkeeping for the store's writes (api/fieldmanager does the field algebra).
 * Non-apply writes are recorded under fieldManager, else the User-Agent's product name, with
 * operation Update; server-side apply records operation Apply under the (required) fieldManager.
 */

function writeContext(def: ResourceDefinition, ctx: StoreContext, manager: string, subresource: string | undefined): WriteContext {
  return { manager, apiVersion: apiVersionOf(def), time: rfc3339(ctx.now), schema: schemaFor(def), ...(subresource ? { subresource } : {}) };
}

/** Records a create, update or non-apply patch of `next` (old undefined on create). */
export function recordUpdate(def: ResourceDefinition, ctx: StoreContext, old: KubeObject | undefined, next: KubeObject, subresource?: string): KubeObject {
  const manager = managerName(ctx.fieldManager, ctx.userAgent);
  const wctx = writeContext(def, ctx, manager, subresource);
  if (!old && next.status !== undefined && resetsStatus(def, subresource)) {
    // The status a create stores is the strategy's (a pod's phase Pending, its QoS class): as
    // upstream's reset fields, nobody owns it, so the first status writer takes it from no one.
    const { status, ...rest } = next;
    return { ...trackUpdate(undefined, rest as KubeObject, wctx), status };
  }
  return keepTimestamps(trackUpdate(old, next, wctx), old);
}

/** Whether writes through this endpoint reset status (the main resource of a kind with a status subresource). */
function resetsStatus(def: ResourceDefinition, subresource: string | undefined): boolean {
  return !subresource && !!def.subresources?.some((s) => s.name === 'status');
}

/**
 * Server-side apply of `config` onto `live` (undefined: the object is created). The config must be
 * an object of this resource's kind; it may carry metadata.resourceVersion as a precondition.
 */
export function applyTo(
  def: ResourceDefinition,
  ctx: StoreContext,
  live: KubeObject | undefined,
  config: unknown,
  force: boolean,
  subresource?: string,
): KubeObject {
  const cfg = withoutResetFields(def, checkApplyConfig(def, config), subresource);
  const manager = ctx.fieldManager ?? '';
  const wctx = writeContext(def, ctx, manager, subresource);
  // As upstream: kubectl's own apply manager takes over what client-side apply last applied.
  const allowedConflicts = manager === 'kubectl' ? lastAppliedFields(live, wctx.schema) : undefined;
  const out = applyConfig({ ...wctx, live, config: cfg, force, allowedConflicts });
  return keepTimestamps(out, live);
}

function checkApplyConfig(def: ResourceDefinition, config: unknown): KubeObject {
  if (!isObject(config)) throw apiErrors.badRequest('the apply configuration must be an object');
  const want = apiVersionOf(def);
  const { apiVersion, kind } = config;
  if (typeof kind !== 'string' || !kind || typeof apiVersion !== 'string' || !apiVersion) {
    throw apiErrors.badRequest(`invalid object type: ${typeof apiVersion === 'string' ? apiVersion : ''}, Kind=${typeof kind === 'string' ? kind : ''}`);
  }
  if (kind !== def.kind || apiVersion !== want) {
    throw apiErrors.badRequest(`${kind} in version "${apiVersion}" cannot be handled as a ${def.kind}: the kind of the object does not match the resource`);
  }
  const metadata = isObject(config.metadata) ? config.metadata : {};
  if (metadata.managedFields !== undefined && metadata.managedFields !== null) {
    throw apiErrors.badRequest('metadata.managedFields must be nil');
  }
  return { ...(config as KubeObject), metadata: metadata as KubeObject['metadata'] };
}

/**
 * Drops what the target's strategy would reset anyway, so nobody owns or conflicts on it (upstream
 * resetFields): /status keeps only status (and metadata); the main resource of a kind with a status
 * subresource drops status.
 */
function withoutResetFields(def: ResourceDefinition, cfg: KubeObject, subresource: string | undefined): KubeObject {
  if (subresource === 'status') {
    const { apiVersion, kind, metadata, status } = cfg;
    return { apiVersion, kind, metadata, ...(status !== undefined ? { status } : {}) };
  }
  if (resetsStatus(def, subresource)) {
    const { status: _s, ...rest } = cfg;
    return rest as KubeObject;
  }
  return cfg;
}

/**
 * A write that changes nothing but managedFields timestamps keeps the old entries, so an
 * unchanged apply stores nothing and keeps the resourceVersion (upstream ignores
 * timestamp-only managedFields changes the same way).
 */
function keepTimestamps(next: KubeObject, old: KubeObject | undefined): KubeObject {
  const before = old?.metadata.managedFields;
  const after = next.metadata.managedFields;
  if (!old || !before || !after || before.length !== after.length) return next;
  for (let i = 0; i < before.length; i++) {
    if (!sameFields(before[i] as Record<string, unknown>, after[i] as Record<string, unknown>, 'time')) return next;
  }
  const meta = (o: KubeObject) => (o.metadata ?? {}) as Record<string, unknown>;
  if (!sameFields(old, next, 'metadata') || !sameFields(meta(old), meta(next), 'managedFields')) return next;
  return { ...next, metadata: { ...next.metadata, managedFields: before } };
}
