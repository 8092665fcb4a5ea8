import type { KubeObject } from '../api/index.js';
import type { ResourceStrategy } from './strategy.js';

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
}

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
}

/** Default verbs of a normal resource, in discovery order. */
export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
