import type { KubeObject } from '../../../internal/api/index.js';
import { jsonEqual } from '../../../internal/util/index.js';

export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Upstream's default --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid?: string };
}

/** Endpoints that share an address type and a port set: they may share slices. */
export interface SliceGroup {
  addressType: string;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

/** What every slice of one owner carries besides its group's content. */
export interface SliceTemplate {
  namespace: string;
  generateName: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences: NonNullable<KubeObject['metadata']['ownerReferences']>;
}

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

const portsKey = (addressType: string, ports: SlicePort[] | undefined) =>
  `${addressType}|${JSON.stringify([...(ports ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.port - b.port)))}`;
const endpointOrder = (a: SliceEndpoint, b: SliceEndpoint) => (a.addresses[0]! < b.addresses[0]! ? -1 : a.addresses[0]! > b.addresses[0]! ? 1 : 0);

function chunks<T>(list: T[], size: number): T[][] {
  if (list.length === 0) return [[]];
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function sliceOf(t: SliceTemplate, g: SliceGroup, endpoints: SliceEndpoint[], base: KubeObject | undefined): KubeObject {
  const metadata = base
    ? { ...base.metadata, labels: t.labels, ownerReferences: t.ownerReferences }
    : { generateName: t.generateName, namespace: t.namespace, labels: t.labels, ownerReferences: t.ownerReferences };
  const annotations = { ...(base?.metadata.annotations ?? {}), ...(t.annotations ?? {}) };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...(base ?? {}), metadata, addressType: g.addressType, endpoints, ports: g.ports };
}

function sameContent(slice: KubeObject, t: SliceTemplate, g: SliceGroup, endpoints: SliceEndpoint[]): boolean {
  return (
    jsonEqual(slice.endpoints ?? [], endpoints) &&
    jsonEqual(slice.ports ?? [], g.ports) &&
    jsonEqual(slice.metadata.labels ?? {}, t.labels) &&
    jsonEqual(slice.metadata.ownerReferences ?? [], t.ownerReferences)
  );
}

/**
 * The writes that turn an owner's existing slices into the desired groups: each group's
 * endpoints (sorted by address) go into slices of at most `max`, reusing existing slices of the
 * same address type and ports in name order (rewritten only when their content differs), creating
 * what is missing and deleting the rest. A group without endpoints keeps one empty slice, as
 * upstream's placeholder. Annotations of the template (the trigger time) are written only with a
 * change.
 */
export function planSlices(t: SliceTemplate, groups: SliceGroup[], existing: KubeObject[], max = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const pool = new Map<string, KubeObject[]>();
  for (const s of [...existing].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    const k = portsKey(String(s.addressType), s.ports as SlicePort[] | undefined);
    pool.set(k, [...(pool.get(k) ?? []), s]);
  }
  for (const g of groups) {
    const reuse = pool.get(portsKey(g.addressType, g.ports)) ?? [];
    pool.delete(portsKey(g.addressType, g.ports));
    for (const endpoints of chunks([...g.endpoints].sort(endpointOrder), max)) {
      const cur = reuse.shift();
      if (!cur) plan.create.push(sliceOf(t, g, endpoints, undefined));
      else if (!sameContent(cur, t, g, endpoints)) plan.update.push(sliceOf(t, g, endpoints, cur));
    }
    plan.delete.push(...reuse);
  }
  for (const rest of pool.values()) plan.delete.push(...rest);
  return plan;
}
