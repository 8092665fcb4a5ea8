import type { KubeObject } from '../api/index.js';
import type { ApiRequest, ApiResponse } from './request.js';
import type { RequestContext, ResourceStrategy } from './strategy.js';
import type { ResourceStore } from './store/types.js';

/** One column of server-side printing (metav1.TableColumnDefinition) plus how to compute its cell. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  /** 0 = default columns, >0 = shown only with -o wide. */
  priority: number;
  cell(obj: KubeObject, now: number): string | number | boolean | null;
}

export interface SubresourceDefinition {
  /** "status", "scale", "binding", "eviction", ... */
  name: string;
  /** Verbs served, e.g. ["get", "patch", "update"] or ["create"]. */
  verbs: string[];
  /** Kind returned for this subresource when it is not the parent kind (e.g. Scale). */
  kind?: { group: string; version: string; kind: string };
  /** Strategy used for updates through this subresource (status: keeps spec, copies status). */
  strategy?: ResourceStrategy;
  /** For name "scale": where the parent keeps its replica counts and selector (CRD-style paths). */
  scale?: ScalePaths;
  /**
   * Custom behaviour (pods/binding, pods/eviction, ...). When absent the generic engine serves the
   * subresource: get returns the parent, update/patch go through `strategy` (or, for "status", a
   * strategy that changes only .status).
   */
  handler?: SubresourceHandler;
}

/** Paths in the parent object, in the CRD scale subresource's notation: ".spec.replicas". */
export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Points at a selector string (CRDs) or a LabelSelector object (Deployments); rendered as a string. */
  labelSelectorPath?: string;
}

/** What a custom subresource handler gets: the parent resource's store and the request context. */
export interface SubresourceContext {
  store: ResourceStore;
  ctx: RequestContext;
  /** The store of another served resource (pods/eviction reads PodDisruptionBudgets). */
  storeOf?: (group: string, version: string, resource: string) => ResourceStore | undefined;
}

/** Serves one request to a subresource (never a watch). Throws ApiError. */
export type SubresourceHandler = (req: Exclude<ApiRequest, { verb: 'watch' }>, sc: SubresourceContext) => Promise<ApiResponse>;

/**
 * A resource served by the generic engine. Built-in resources are a definition plus a strategy;
 * CustomResourceDefinitions become definitions at run time.
 */
export interface ResourceDefinition {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lowercase plural, the URL segment: "deployments". */
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  strategy: ResourceStrategy;
  /** Verbs for discovery; default is the full set. */
  verbs?: string[];
  subresources?: SubresourceDefinition[];
  /** Columns for Table output; the generic Name + Age columns are used when absent. */
  columns?: TableColumn[];
  /** The storage prefix segment when it differs from `plural` (e.g. events share storage across groups). */
  storageResource?: string;
  /** The group whose storage this shares (events.k8s.io Event is stored as core Event). */
  storageGroup?: string;
  /** Converts a stored object into this version's shape and back, when storage is shared. */
  convert?: { toStored(obj: KubeObject): KubeObject; fromStored(obj: KubeObject): KubeObject };
  /** true for custom resources (SMP answers 415; schema comes from the CRD). */
  custom?: boolean;
  /** Custom resources: the version's openAPIV3Schema from the CRD (served in /openapi/v2 and v3, used
   *  for validation and pruning). Built-ins get their schemas from the vendored upstream documents. */
  openAPIV3Schema?: Record<string, unknown>;
  /**
   * A DELETE that removes the object at once answers with the deleted object (pods, services,
   * CRDs upstream) instead of a Status Success. Default false.
   */
  returnDeletedObject?: boolean;
  /**
   * metadata.generation is set to 1 on create and bumped when anything outside metadata and status
   * changes. Default: true for custom resources and objects with a `spec` (set false for Namespace,
   * Pod, Service, ... which upstream leaves without generation).
   */
  trackGeneration?: boolean;
  /** Checks metadata.name (prefix = checking generateName); returns messages. Default: DNS-1123 subdomain. */
  nameValidation?: (name: string, prefix: boolean) => string[];
  /**
   * A resource that is never stored (access reviews, TokenReview): every request, once authorized,
   * is answered by this function instead of the generic store.
   */
  serve?: (req: Exclude<ApiRequest, { verb: 'watch' }>) => Promise<ApiResponse>;
  /**
   * Set on a deprecated resource version: the API server sends this text as a Warning header on every
   * HTTP request to it (watches and failed requests included), as upstream does for deprecated APIs.
   */
  deprecationWarning?: string;
}

/** Default verbs of a normal resource, in discovery order. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
