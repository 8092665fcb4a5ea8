import type { KubeObject } from '../api/index.js';
import type { Handler, UserInfo } from '../registry/index.js';
import { planRepair, serviceHoldings, type Owner, type RepairPlan, type ReservationRecord, type ReservationStore } from '../registry/index.js';
import { everything, isStorageError, type ObjectStore } from '../storage/index.js';

const SYSTEM: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };
const NET = { group: 'networking.k8s.io', version: 'v1', resource: 'ipaddresses' } as const;
/** Node port records: one key per port, outside every served resource (upstream keeps one range key). */
export const NODE_PORT_PREFIX = '/registry/ranges/servicenodeports/';

const isApiReason = (err: unknown, reason: string): boolean => (err as { reason?: string })?.reason === reason;
const ownerOfRef = (ref: unknown): Owner | undefined => {
  const r = ref as { group?: string; resource?: string; namespace?: string; name?: string } | undefined;
  return r && !r.group && r.resource === 'services' && r.name ? { namespace: r.namespace ?? '', name: r.name } : undefined;
};
const sameOwner = (a: Owner | undefined, b: Owner): boolean => !!a && a.namespace === b.namespace && a.name === b.name;
const createdAt = (o: KubeObject): number => Date.parse(o.metadata.creationTimestamp ?? '') || 0;

export type RecordedReservations = ReservationStore & { records(): Promise<ReservationRecord[]> };

/**
 * Cluster IPs as upstream 1.33 keeps them: one networking.k8s.io/v1 IPAddress per address, named by
 * it, its parentRef the Service. Created through the registry, so a second create of the same
 * address fails in the store (AlreadyExists) on whichever API server it arrives.
 */
export function ipAddressReservations(registry: () => Handler): RecordedReservations {
  const handler: Pick<Handler, 'handle'> = { handle: (req) => registry().handle(req) };
  const records = async (): Promise<ReservationRecord[]> => {
    const res = await handler.handle({ user: SYSTEM, ...NET, verb: 'list', params: {} });
    return (res.body as { items: KubeObject[] }).items.flatMap((o) => {
      const owner = ownerOfRef((o.spec as { parentRef?: unknown } | undefined)?.parentRef);
      return owner ? [{ key: o.metadata.name ?? '', owner, createdAt: createdAt(o) }] : [];
    });
  };
  return {
    async claim(ip, owner, dryRun) {
      const body: KubeObject = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'IPAddress',
        metadata: { name: ip, labels: { 'ipaddress.kubernetes.io/ip-family': ip.includes(':') ? 'IPv6' : 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' } },
        spec: { parentRef: { group: '', resource: 'services', namespace: owner.namespace, name: owner.name } },
      };
      try {
        await handler.handle({ user: SYSTEM, ...NET, verb: 'create', body, params: { dryRun } });
        return true;
      } catch (err) {
        if (isApiReason(err, 'AlreadyExists')) return false;
        throw err;
      }
    },
    async release(ip, owner) {
      try {
        const cur = (await handler.handle({ user: SYSTEM, ...NET, verb: 'get', name: ip, params: {} })).body as KubeObject;
        if (!sameOwner(ownerOfRef((cur.spec as { parentRef?: unknown } | undefined)?.parentRef), owner)) return;
        await handler.handle({ user: SYSTEM, ...NET, verb: 'delete', name: ip, params: { preconditions: { uid: cur.metadata.uid, resourceVersion: cur.metadata.resourceVersion } } });
      } catch (err) {
        if (!isApiReason(err, 'NotFound') && !isApiReason(err, 'Conflict')) throw err;
      }
    },
    async held() {
      const res = await handler.handle({ user: SYSTEM, ...NET, verb: 'list', params: {} });
      return new Set((res.body as { items: KubeObject[] }).items.map((o) => o.metadata.name ?? ''));
    },
    records,
  };
}

/**
 * The IPv4 ranges of the ServiceCIDR objects not being deleted, for the allocator to use beside the
 * default range (upstream 1.33's MultiCIDRServiceAllocator; IPv6 ranges are not allocated from).
 */
export function serviceCIDRRanges(registry: () => Handler): () => Promise<string[]> {
  return async () => {
    const res = await registry().handle({ user: SYSTEM, group: NET.group, version: NET.version, resource: 'servicecidrs', verb: 'list', params: {} });
    return (res.body as { items: KubeObject[] }).items
      .filter((o) => !o.metadata.deletionTimestamp)
      .flatMap((o) => ((o.spec as { cidrs?: unknown } | undefined)?.cidrs as unknown[] | undefined) ?? [])
      .filter((c): c is string => typeof c === 'string' && !c.includes(':'));
  };
}

/** Node ports: one storage key per port holding its Service; a create of a taken key fails in the store. */
export function nodePortReservations(store: ObjectStore, now: () => number): RecordedReservations {
  const key = (port: string) => `${NODE_PORT_PREFIX}${port}`;
  const list = async () => (await store.list(NODE_PORT_PREFIX, { predicate: everything })).items;
  return {
    async claim(port, owner, dryRun) {
      const rec: KubeObject = {
        apiVersion: 'v1',
        kind: 'ServiceNodePort',
        metadata: { name: port, creationTimestamp: new Date(now()).toISOString() },
        spec: { service: owner },
      };
      try {
        if (dryRun) await store.get(key(port)).then(() => Promise.reject(Object.assign(new Error('held'), { held: true })), () => undefined);
        else await store.create(key(port), rec);
        return true;
      } catch (err) {
        if ((err as { held?: boolean }).held || isStorageError(err, 'KeyExists')) return false;
        throw err;
      }
    },
    async release(port, owner) {
      try {
        const cur = await store.get(key(port));
        if (!sameOwner((cur.spec as { service?: Owner } | undefined)?.service, owner)) return;
        await store.delete(key(port), { preconditions: { resourceVersion: cur.metadata.resourceVersion } });
      } catch (err) {
        if (!isStorageError(err, 'KeyNotFound') && !isStorageError(err, 'Conflict')) throw err;
      }
    },
    async held() {
      return new Set((await list()).map((o) => o.metadata.name ?? ''));
    },
    async records() {
      return (await list()).map((o) => ({ key: o.metadata.name ?? '', owner: (o.spec as { service: Owner }).service, createdAt: createdAt(o) }));
    },
  };
}

export interface RepairDeps {
  handler: Handler;
  ips: RecordedReservations;
  ports: RecordedReservations;
  now: () => number;
  graceMs: number;
}

/** One pass of the repair loop: reads Services and records, plans, and acts on the plan. */
export async function repairServiceAllocations(d: RepairDeps): Promise<RepairPlan> {
  const res = await d.handler.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'services', verb: 'list', params: {} });
  const services = (res.body as { items: KubeObject[] }).items.map(serviceHoldings);
  const plan = planRepair({ services, ipRecords: await d.ips.records(), portRecords: await d.ports.records(), now: d.now(), graceMs: d.graceMs });
  for (const r of plan.releaseIPs) await d.ips.release(r.key, r.owner);
  for (const r of plan.releasePorts) await d.ports.release(r.key, r.owner);
  for (const c of plan.claimIPs) await d.ips.claim(c.key, c.owner, false);
  for (const c of plan.claimPorts) await d.ports.claim(c.key, c.owner, false);
  return plan;
}

/** Runs the repair pass now and then every intervalMs until the signal aborts. */
export function startServiceAllocationRepair(d: RepairDeps & { intervalMs: number; signal: AbortSignal; onError: (err: unknown) => void; onPlan?: (p: RepairPlan) => void }): void {
  const run = async () => {
    if (d.signal.aborted) return;
    try {
      d.onPlan?.(await repairServiceAllocations(d));
    } catch (err) {
      if (!d.signal.aborted) d.onError(err);
    }
    if (!d.signal.aborted) setTimeout(run, d.intervalMs).unref();
  };
  void run();
}
