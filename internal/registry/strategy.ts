import type { FieldError, KubeObject } from '../api/index.js';

/** Who is asking, as established by authentication (x509 CN/O, later tokens). */
export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  /** Extra attributes (user.Info.GetExtra), e.g. the pod a ServiceAccount token is bound to. */
  extra?: Record<string, string[]>;
}

/** Per-request context handed to strategies. */
export interface RequestContext {
  user: UserInfo;
  namespace?: string;
  /** Server time, injected (ms since epoch) so strategies never call Date.now. */
  now: number;
  dryRun: boolean;
  fieldManager?: string;
}

/**
 * The per-resource behaviour the generic Store calls, in a fixed order:
 * create: prepareForCreate → validate → canonicalize → store.
 * update: prepareForUpdate(new, old) → validateUpdate(new, old) → canonicalize → store.
 * validate* never throw and never mutate; prepare* may mutate their first argument.
 */
export interface ResourceStrategy {
  namespaced: boolean;
  /** Clears status on create (for resources with a status subresource), sets defaults, generation. */
  prepareForCreate(obj: KubeObject, ctx: RequestContext): void;
  validate(obj: KubeObject, ctx: RequestContext): FieldError[];
  /** Keeps what the caller may not change (status via the main resource, spec via /status). */
  prepareForUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
  /** Normalizes before storage (e.g. sorting). */
  canonicalize?(obj: KubeObject): void;
  warningsOnCreate?(obj: KubeObject): string[];
  warningsOnUpdate?(obj: KubeObject, old: KubeObject): string[];
  /** PUT of a missing object creates it (e.g. Nodes? no; Leases? no; Endpoints: yes upstream). */
  allowCreateOnUpdate: boolean;
  /** PUT without metadata.resourceVersion is allowed (last write wins). */
  allowUnconditionalUpdate: boolean;
  /** Field values for field selectors beyond metadata.name/namespace, e.g. {"spec.nodeName": "n1"}. */
  selectableFields?(obj: KubeObject): Record<string, string>;
  /** Graceful deletion: returns the grace period to set, or 0/undefined to delete at once (pods). */
  gracePeriodSeconds?(obj: KubeObject, requested: number | undefined): number | undefined;
  /**
   * Called by DELETE before deciding whether the object goes at once. It may mark the object (a
   * Namespace sets status.phase Terminating) and returns true when the object must stay even without
   * metadata.finalizers (a Namespace with spec.finalizers). The store then sets deletionTimestamp.
   */
  prepareForDelete?(obj: KubeObject, ctx: RequestContext): boolean;
  /**
   * Reserves what the object holds outside its own key (a Service's cluster IPs and node ports) once
   * it is valid, before admission and storage; upstream's BeginCreate/BeginUpdate. May fill fields
   * in and throws an ApiError when a reservation is refused. The returned function is called once
   * with whether the write went through: false gives the reservations back.
   */
  beginCreate?(obj: KubeObject, ctx: RequestContext): Promise<WriteFinish | undefined>;
  beginUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Promise<WriteFinish | undefined>;
  /** After the object left storage (not for dry runs): releases what beginCreate reserved. */
  afterDelete?(obj: KubeObject, ctx: RequestContext): Promise<void>;
  /** Objects created with this TTL (seconds) expire automatically (Events: 3600). */
  ttlSeconds?: number;
}

/** Completes a write begun by beginCreate/beginUpdate: `stored` says whether it went through. */
export type WriteFinish = (stored: boolean) => Promise<void>;
