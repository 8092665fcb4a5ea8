import type { FieldError, KubeObject } from '../../../api/index.js';
import type { RequestContext, ResourceStrategy } from '../../strategy.js';
import type { NameValidator as NameRule } from './validation.js';
import { clone } from './object.js';

/**
 * What a resource declares; defineStrategy turns it into the ResourceStrategy the generic store
 * calls. The builder owns the cross-cutting rules (status split, defaulting on every write)
 * so each resource file states only its own defaults and checks.
 */
export interface StrategySpec {
  namespaced: boolean;
  /** Rule for metadata.name (DNS-1123 subdomain when absent); the store applies it with the other
   *  ObjectMeta checks, defineBuiltin passes it on as ResourceDefinition.nameValidation. */
  name?: NameRule;
  /** The resource has a /status subresource: main-resource writes keep the stored status. */
  status?: boolean;
  /** Create clears status (true by default with `status`; Nodes are created with theirs). */
  clearStatusOnCreate?: boolean;
  /** metadata.generation starts at 1 and grows with spec changes; the store does it when the
   *  definition says trackGeneration (defineBuiltin passes this flag on). */
  generation?: boolean;
  /** Upstream defaulting (SetDefaults_*), applied to every write as the decoder does upstream. */
  defaults?(obj: KubeObject): void;
  /** Create-only preparation after defaulting (initial status, generated selectors). */
  onCreate?(obj: KubeObject, ctx: RequestContext): void;
  /** Update-only preparation after defaulting (keep fields callers may not change). */
  onUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /** Validation of everything but metadata (the store validates ObjectMeta), for create and update. */
  validate?(obj: KubeObject, ctx: RequestContext): FieldError[];
  /** Extra update checks (immutable fields). */
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
  canonicalize?(obj: KubeObject): void;
  allowCreateOnUpdate?: boolean;
  allowUnconditionalUpdate?: boolean;
  selectableFields?(obj: KubeObject): Record<string, string>;
  gracePeriodSeconds?(obj: KubeObject, requested: number | undefined): number | undefined;
  ttlSeconds?: number;
  warningsOnCreate?(obj: KubeObject): string[];
  warningsOnUpdate?(obj: KubeObject, old: KubeObject): string[];
}

/** The strategy plus the spec it came from (status strategies derive from it). */
export interface BuiltStrategy extends ResourceStrategy {
  readonly spec: StrategySpec;
}

export function defineStrategy(spec: StrategySpec): BuiltStrategy {
  return {
    spec,
    namespaced: spec.namespaced,
    prepareForCreate(obj, ctx) {
      // Upstream resets status to its zero struct, which serializes as `status: {}`.
      if (spec.status && spec.clearStatusOnCreate !== false) obj.status = {};
      spec.defaults?.(obj);
      spec.onCreate?.(obj, ctx);
    },
    validate(obj, ctx) {
      return spec.validate?.(obj, ctx) ?? [];
    },
    prepareForUpdate(obj, old, ctx) {
      if (spec.status) copyOrDelete(obj, old, 'status');
      spec.defaults?.(obj);
      spec.onUpdate?.(obj, old, ctx);
    },
    validateUpdate(obj, old, ctx) {
      return [...(spec.validate?.(obj, ctx) ?? []), ...(spec.validateUpdate?.(obj, old, ctx) ?? [])];
    },
    allowCreateOnUpdate: spec.allowCreateOnUpdate ?? false,
    allowUnconditionalUpdate: spec.allowUnconditionalUpdate ?? true,
    ...(spec.canonicalize ? { canonicalize: spec.canonicalize } : {}),
    ...(spec.selectableFields ? { selectableFields: spec.selectableFields } : {}),
    ...(spec.gracePeriodSeconds ? { gracePeriodSeconds: spec.gracePeriodSeconds } : {}),
    ...(spec.ttlSeconds ? { ttlSeconds: spec.ttlSeconds } : {}),
    ...(spec.warningsOnCreate ? { warningsOnCreate: spec.warningsOnCreate } : {}),
    ...(spec.warningsOnUpdate ? { warningsOnUpdate: spec.warningsOnUpdate } : {}),
  };
}

export interface SubStrategyOptions {
  /** The only top-level fields the subresource may change (default ["status"]). */
  writable?: string[];
  /** Changes inside kept fields that are allowed anyway, e.g. spec.finalizers for namespaces/finalize. */
  afterKeep?(obj: KubeObject, old: KubeObject, incoming: KubeObject): void;
  validate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
}

/**
 * A strategy for /status (and similar) updates: everything outside `writable` is taken from the
 * stored object, and so are the metadata fields ResetObjectMetaForStatus keeps upstream
 * (generation, deletionTimestamp, finalizers, ownerReferences). Labels and annotations may change.
 * (The store still runs the ObjectMeta update checks.)
 */
export function subresourceStrategy(main: BuiltStrategy, opts: SubStrategyOptions = {}): ResourceStrategy {
  const writable = new Set(['metadata', 'apiVersion', 'kind', ...(opts.writable ?? ['status'])]);
  return {
    namespaced: main.namespaced,
    prepareForCreate: main.prepareForCreate,
    validate: main.validate,
    prepareForUpdate(obj, old) {
      const incoming = opts.afterKeep ? clone(obj) : obj;
      for (const k of new Set([...Object.keys(obj), ...Object.keys(old)])) if (!writable.has(k)) copyOrDelete(obj, old, k);
      for (const k of ['generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'finalizers', 'ownerReferences'] as const) {
        if (old.metadata[k] === undefined) delete obj.metadata[k];
        else (obj.metadata as Record<string, unknown>)[k] = clone(old.metadata[k]);
      }
      opts.afterKeep?.(obj, old, incoming);
      main.spec.defaults?.(obj);
    },
    validateUpdate(obj, old, ctx) {
      return opts.validate?.(obj, old, ctx) ?? [];
    },
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: true,
    ...(main.canonicalize ? { canonicalize: main.canonicalize } : {}),
    ...(main.selectableFields ? { selectableFields: main.selectableFields } : {}),
  };
}

export const statusStrategy = (main: BuiltStrategy, validate?: SubStrategyOptions['validate']): ResourceStrategy =>
  subresourceStrategy(main, validate ? { validate } : {});

function copyOrDelete(obj: KubeObject, old: KubeObject, key: string): void {
  if (old[key] === undefined) delete obj[key];
  else obj[key] = clone(old[key]);
}
