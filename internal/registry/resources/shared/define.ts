import type { KubeObject } from '../../../api/index.js';
import type { ResourceDefinition, SubresourceDefinition, TableColumn } from '../../definition.js';
import type { ResourceStrategy } from '../../strategy.js';
import type { UpstreamResource } from '../upstream/index.js';
import type { BuiltStrategy } from './strategy.js';
import { since } from './time.js';

export type Cell = TableColumn['cell'];

/** Extra behaviour for one upstream subresource; unlisted subresources are declared without any. */
export type SubresourceSpec = Omit<SubresourceDefinition, 'name' | 'verbs' | 'kind'>;

export interface BuiltinSpec {
  /** A defineStrategy result also supplies nameValidation and trackGeneration. */
  strategy: ResourceStrategy | BuiltStrategy;
  /** DELETE answers with the deleted object (pods and services upstream). */
  returnDeletedObject?: boolean;
  /** Cells by upstream column name. Name, Age and Created At are filled in when not given. */
  cells?: Record<string, Cell>;
  subresources?: Record<string, SubresourceSpec>;
  storageGroup?: string;
  storageResource?: string;
  convert?: ResourceDefinition['convert'];
}

const COMMON_CELLS: Record<string, Cell> = {
  Name: (o) => o.metadata.name ?? '',
  Age: (o, now) => since(o.metadata.creationTimestamp, now),
  'Created At': (o) => o.metadata.creationTimestamp ?? '',
};

/**
 * A built-in resource: the names, verbs, subresources and column definitions captured from upstream
 * (so discovery and Table headers match upstream's) joined with this project's strategy and
 * cell functions. Throws at startup when a column has no cell, so a gap cannot ship silently.
 */
export function defineBuiltin(up: UpstreamResource, spec: BuiltinSpec): ResourceDefinition {
  const built = 'spec' in spec.strategy ? (spec.strategy as BuiltStrategy).spec : undefined;
  const columns: TableColumn[] = up.columns.map((c) => {
    const cell = spec.cells?.[c.name] ?? COMMON_CELLS[c.name];
    if (!cell) throw new Error(`${up.plural}.${up.group}: no cell for column ${c.name}`);
    return { name: c.name, type: c.type, format: c.format, description: c.description, priority: c.priority, cell };
  });
  for (const name of Object.keys(spec.subresources ?? {})) {
    if (!up.subresources.some((s) => s.name === name)) throw new Error(`${up.plural}.${up.group}: upstream has no subresource ${name}`);
  }
  const subresources: SubresourceDefinition[] = up.subresources.map((s) => ({
    name: s.name,
    verbs: s.verbs,
    ...(s.kind ? { kind: s.kind } : {}),
    ...(spec.subresources?.[s.name] ?? {}),
  }));
  return {
    group: up.group,
    version: up.version,
    kind: up.kind,
    listKind: `${up.kind}List`,
    plural: up.plural,
    singular: up.kind.toLowerCase(),
    ...(up.shortNames ? { shortNames: up.shortNames } : {}),
    ...(up.categories ? { categories: up.categories } : {}),
    namespaced: up.namespaced,
    strategy: spec.strategy,
    verbs: up.verbs,
    ...(subresources.length > 0 ? { subresources } : {}),
    ...(columns.length > 0 ? { columns } : {}),
    ...(spec.storageGroup !== undefined ? { storageGroup: spec.storageGroup } : {}),
    ...(spec.storageResource ? { storageResource: spec.storageResource } : {}),
    ...(spec.convert ? { convert: spec.convert } : {}),
    ...(spec.returnDeletedObject ? { returnDeletedObject: true } : {}),
    ...(built?.name ? { nameValidation: built.name } : {}),
    // Upstream sets generation only on kinds whose strategy tracks it; say so explicitly, because
    // the store's default would track every object that has a spec.
    trackGeneration: built?.generation === true,
  };
}

/** Cells shared by workload printers: container names and images of a pod template. */
export function containerCells(template: (o: KubeObject) => unknown): Record<string, Cell> {
  const containers = (o: KubeObject): Record<string, unknown>[] => {
    const t = template(o) as { spec?: { containers?: Record<string, unknown>[] } } | undefined;
    return Array.isArray(t?.spec?.containers) ? t.spec.containers : [];
  };
  return {
    Containers: (o) => containers(o).map((c) => String(c.name ?? '')).join(','),
    Images: (o) => containers(o).map((c) => String(c.image ?? '')).join(','),
  };
}
