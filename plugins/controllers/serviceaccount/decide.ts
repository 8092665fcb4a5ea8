import type { KubeObject } from '../../../internal/api/index.js';
import { namespaceActive } from '../shared/namespace.js';

/** The ServiceAccounts every namespace gets. */
export const DEFAULT_SERVICE_ACCOUNTS = ['default'];

/** The ServiceAccounts to create in ns: each default one it lacks, none while it terminates. */
export function missingServiceAccounts(ns: KubeObject, exists: (name: string) => boolean): KubeObject[] {
  if (!namespaceActive(ns)) return [];
  const namespace = ns.metadata.name!;
  return DEFAULT_SERVICE_ACCOUNTS.filter((name) => !exists(name)).map((name) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace },
  }));
}
