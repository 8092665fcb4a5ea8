import type { Owner } from './allocator.js';

/** One reservation record as stored: its key, who it names, and when it was made (ms). */
export interface ReservationRecord {
  key: string;
  owner: Owner;
  createdAt: number;
}

export interface RepairInput {
  /** What each stored Service holds (serviceHoldings). */
  services: { owner: Owner; clusterIPs: string[]; nodePorts: number[] }[];
  ipRecords: ReservationRecord[];
  portRecords: ReservationRecord[];
  now: number;
  /**
   * A record younger than this is never released: its Service may be between the claim and its own
   * write (or that write's rollback) on some API server.
   */
  graceMs: number;
}

export interface RepairPlan {
  /** Records whose Service is gone or no longer holds the key. */
  releaseIPs: ReservationRecord[];
  releasePorts: ReservationRecord[];
  /** Keys a Service holds without a record (written before records existed, or a lost claim). */
  claimIPs: { key: string; owner: Owner }[];
  claimPorts: { key: string; owner: Owner }[];
  /** Keys a Service holds while the record names another Service (upstream: ClusterIPAlreadyAllocated). */
  conflicts: { key: string; owner: Owner; holder: Owner }[];
}

const same = (a: Owner, b: Owner): boolean => a.namespace === b.namespace && a.name === b.name;
const id = (o: Owner): string => `${o.namespace}/${o.name}`;

/**
 * Upstream's repair loops for cluster IPs and node ports as one pure decision: compare what the
 * stored Services hold with the reservation records, and say which records leaked and which holdings
 * lack a record. Every node may run it: acting on the plan is idempotent (claims are creates that
 * lose to an existing record; releases only remove a record still naming the same owner).
 */
export function planRepair(input: RepairInput): RepairPlan {
  const plan: RepairPlan = { releaseIPs: [], releasePorts: [], claimIPs: [], claimPorts: [], conflicts: [] };
  const holds = new Map<string, { ips: Set<string>; ports: Set<string> }>();
  for (const s of input.services) holds.set(id(s.owner), { ips: new Set(s.clusterIPs), ports: new Set(s.nodePorts.map(String)) });
  const side = (records: ReservationRecord[], pick: (h: { ips: Set<string>; ports: Set<string> }) => Set<string>, release: ReservationRecord[], claim: { key: string; owner: Owner }[]) => {
    const byKey = new Map(records.map((r) => [r.key, r]));
    for (const r of records) {
      const h = holds.get(id(r.owner));
      if ((!h || !pick(h).has(r.key)) && input.now - r.createdAt >= input.graceMs) release.push(r);
    }
    for (const s of input.services) {
      const h = holds.get(id(s.owner))!;
      for (const key of pick(h)) {
        const r = byKey.get(key);
        if (!r) {
          claim.push({ key, owner: s.owner });
          byKey.set(key, { key, owner: s.owner, createdAt: input.now });
        } else if (!same(r.owner, s.owner)) plan.conflicts.push({ key, owner: s.owner, holder: r.owner });
      }
    }
  };
  side(input.ipRecords, (h) => h.ips, plan.releaseIPs, plan.claimIPs);
  side(input.portRecords, (h) => h.ports, plan.releasePorts, plan.claimPorts);
  return plan;
}
