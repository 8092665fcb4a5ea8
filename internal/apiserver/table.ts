import type { KubeList, KubeObject, WatchEvent } from '../api/index.js';
import type { ResourceDefinition, TableColumn } from '../registry/index.js';

/**
 * Server-side printing (meta.k8s.io Table) and PartialObjectMetadata conversion. Pure functions of
 * the definition, the objects and the injected time.
 */

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  /** Server time in ms, for Age cells. */
  now: number;
}

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: http://kubernetes.io/docs/user-guide/identifiers#names';
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.';

export const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: NAME_DESCRIPTION,
  priority: 0,
  cell: (o) => o.metadata.name ?? '',
};

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: AGE_DESCRIPTION,
  priority: 0,
  cell: (o, now) => age(o.metadata.creationTimestamp, now),
};

/** "<unknown>" when unset, like kubectl's printers. */
export function age(timestamp: string | null | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

/**
 * Human duration as Kubernetes prints ages: two units while short, one unit when long
 * ("45s", "3m20s", "12m", "5h3m", "20h", "3d4h", "30d", "2y100d", "9y").
 */
export function humanDuration(ms: number): string {
  const s = Math.trunc(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  if (h < 24 * 365 * 8) {
    const dy = Math.floor(h / 24) % 365;
    return dy === 0 ? `${Math.floor(h / 24 / 365)}y` : `${Math.floor(h / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(h / 24 / 365)}y`;
}

/**
 * The definition's columns; Name is put first when they have no name column (Events keep theirs
 * where upstream has it, after Message), Name + Age when none are defined.
 */
export function columnsFor(def: ResourceDefinition): TableColumn[] {
  const cols = def.columns;
  if (!cols || cols.length === 0) return [nameColumn, ageColumn];
  return cols.some((c) => c.format === 'name' || c.name.toLowerCase() === 'name') ? cols : [nameColumn, ...cols];
}

function columnDefinitions(cols: TableColumn[]) {
  return cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority }));
}

export function toPartial(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function listToPartial(list: KubeList, version: string) {
  return {
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: list.metadata,
    items: list.items.map((o) => toPartial(o, version)),
  };
}

function withTypeMeta(def: ResourceDefinition, obj: KubeObject): KubeObject {
  if (obj.kind && obj.apiVersion) return obj;
  return { ...obj, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind };
}

function row(def: ResourceDefinition, cols: TableColumn[], obj: KubeObject, opts: TableOptions) {
  const cells = cols.map((c) => {
    try {
      return c.cell(obj, opts.now) ?? null;
    } catch {
      // A printer must never fail a whole list because one object is odd.
      return '<error>';
    }
  });
  switch (opts.includeObject) {
    case 'None':
      return { cells };
    case 'Object':
      return { cells, object: withTypeMeta(def, obj) };
    default:
      return { cells, object: toPartial(obj, opts.version) };
  }
}

function table(def: ResourceDefinition, objs: KubeObject[], meta: Record<string, unknown>, opts: TableOptions, withColumns = true) {
  const cols = columnsFor(def);
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata: meta,
    columnDefinitions: withColumns ? columnDefinitions(cols) : null,
    rows: objs.map((o) => row(def, cols, o, opts)),
  };
}

export function listToTable(def: ResourceDefinition, list: KubeList, opts: TableOptions) {
  const { resourceVersion, continue: cont, remainingItemCount } = list.metadata;
  const meta = {
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    ...(cont ? { continue: cont } : {}),
    ...(remainingItemCount !== undefined ? { remainingItemCount } : {}),
  };
  return table(def, list.items, meta, opts);
}

export function objectToTable(def: ResourceDefinition, obj: KubeObject, opts: TableOptions) {
  const rv = obj.metadata.resourceVersion;
  return table(def, [obj], rv !== undefined ? { resourceVersion: rv } : {}, opts);
}

/**
 * A watch event as kubectl get -w expects it: the object becomes a one-row Table whose
 * columnDefinitions are sent with the first event only (null afterwards, as observed upstream).
 * BOOKMARK and ERROR events pass through unchanged.
 */
export function eventToTable(def: ResourceDefinition, ev: WatchEvent, opts: TableOptions, first: boolean): WatchEvent<unknown> {
  if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return ev;
  const rv = ev.object.metadata?.resourceVersion;
  return { type: ev.type, object: table(def, [ev.object], rv !== undefined ? { resourceVersion: rv } : {}, opts, first) };
}

export function isList(body: unknown): body is KubeList {
  return typeof body === 'object' && body !== null && Array.isArray((body as { items?: unknown }).items);
}
