/** One resource as upstream v1.26.1 discovery and Table output describe it (see data.ts). */
export interface UpstreamColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface UpstreamResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources: { name: string; verbs: string[]; kind?: { group: string; version: string; kind: string } }[];
  columns: UpstreamColumn[];
}
