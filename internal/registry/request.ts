import type { KubeObject, KubeList, WatchEvent } from '../api/index.js';
import type { ResourceDefinition } from './definition.js';
import type { UserInfo } from './strategy.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface ListParams {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  limit?: number;
  continue?: string;
}

export interface WatchParams extends ListParams {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

export interface WriteParams {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
}

export interface DeleteParams extends WriteParams {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface PatchParams extends WriteParams {
  force?: boolean;
}

/**
 * One API request after HTTP parsing (or from the in-process client). Both paths go through the
 * same Handler, so authorization, admission, defaulting and validation are never bypassed.
 */
export type ApiRequest = {
  user: UserInfo;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /**
   * The client's User-Agent; a write without fieldManager is recorded in managedFields under its
   * part before the first "/" (e.g. "kubectl").
   */
  userAgent?: string;
  /**
   * Fenced write (leader-elected plugins): the write commits only if this Lease is still held by
   * `holder` at `resourceVersion`, compared atomically with the write itself. Otherwise 409 Conflict
   * and nothing is stored. Ignored by reads.
   */
  fence?: LeaseFence;
  /**
   * The request's audit annotations (upstream's admission audit annotations): admission plugins
   * add to it (`addAuditAnnotation`), the audit log writes it. Absent: nobody records them.
   */
  auditAnnotations?: Map<string, string>;
} & (
  | { verb: 'get'; params: { resourceVersion?: string } }
  | { verb: 'list'; params: ListParams }
  | { verb: 'watch'; params: WatchParams; signal: AbortSignal }
  | { verb: 'create'; body: KubeObject; params: WriteParams }
  | { verb: 'update'; body: KubeObject; params: WriteParams }
  | { verb: 'patch'; patchType: PatchType; patch: unknown; params: PatchParams }
  | { verb: 'delete'; params: DeleteParams }
  | { verb: 'deletecollection'; params: DeleteParams & ListParams }
);

/** The Lease a leader's write is fenced with (coordination.k8s.io/v1 Lease in `namespace`). */
export interface LeaseFence {
  namespace: string;
  name: string;
  holder: string;
  resourceVersion: string;
}

export interface ApiResponse {
  /** HTTP code on success: 200, or 201 for a create (and an apply that created), 202 for async delete. */
  code: number;
  body: KubeObject | KubeList | { kind: 'Status'; [k: string]: unknown };
  /** Warning headers (fieldValidation=Warn, deprecations). */
  warnings?: string[];
}

/** A watch stream: already-started events; iteration ends when the server ends the watch. */
export interface WatchResponse {
  events: AsyncIterable<WatchEvent>;
}

/** Attributes an authorizer decides on (after Kubernetes' authorizer.Attributes). */
export interface AuthorizationAttributes {
  user: UserInfo;
  verb: Verb | string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Set for a request to a non-resource URL ("/api", "/healthz"): the path; resource fields are empty. */
  path?: string;
}

export interface Authorizer {
  /** Decides one request; never throws for a denial. */
  authorize(attrs: AuthorizationAttributes): Promise<{ allowed: boolean; reason?: string }>;
}

/** The verb pipeline: authorize → admission → registry. Thrown errors are ApiError. */
export interface Handler {
  handle(req: Exclude<ApiRequest, { verb: 'watch' }>): Promise<ApiResponse>;
  watch(req: Extract<ApiRequest, { verb: 'watch' }>): Promise<WatchResponse>;
}

/** What the apiserver needs to route and describe resources (discovery, OpenAPI, Table). */
export interface ResourceCatalog {
  /** All served resources, built-in and custom, in a stable order. */
  definitions(): ResourceDefinition[];
  lookup(group: string, version: string, resource: string): ResourceDefinition | undefined;
  /** Called after CRDs change the served set; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}
