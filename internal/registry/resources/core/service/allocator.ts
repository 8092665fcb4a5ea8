import type { Rand } from '../../../../util/index.js';

/** Who holds an address or a port: the Service, as an IPAddress's parentRef names it. */
export interface Owner {
  namespace: string;
  name: string;
}

/**
 * Where reservations live, one record per key (an IP address, a port). The store decides: of two
 * concurrent claims of one key exactly one wins, whichever API server each went through. kplane
 * keeps cluster IPs as networking.k8s.io/v1 IPAddress objects and node ports as one storage key
 * per port; tests use memoryReservations().
 */
export interface ReservationStore {
  /** Records `owner` under `key`; false when a record exists. A dry run only checks. */
  claim(key: string, owner: Owner, dryRun: boolean): Promise<boolean>;
  /** Removes the record if `owner` holds it (a record taken over since is left alone). */
  release(key: string, owner: Owner): Promise<void>;
  /** Every key held now (used when random picks keep colliding in a crowded range). */
  held(): Promise<Set<string>>;
}

export interface ServiceAllocatorOptions {
  serviceCIDR?: string;
  /**
   * The IPv4 ranges of the cluster's other ServiceCIDR objects (networking.k8s.io/v1), read at each
   * allocation: a Service may take an address in any of them, the default range first.
   */
  extraCIDRs?: () => Promise<string[]>;
  nodePortRange?: { min: number; max: number };
  rand?: Rand;
  ips?: ReservationStore;
  ports?: ReservationStore;
}

/** Hands out Service cluster IPs and node ports; every claim is a record in a ReservationStore. */
export interface ServiceAllocator {
  readonly serviceCIDR: string;
  readonly nodePortRange: { min: number; max: number };
  /** A free IP of the range, claimed for `owner`; undefined when the range is full. */
  allocateClusterIP(owner: Owner, dryRun: boolean): Promise<string | undefined>;
  /** Claims a requested IP; returns upstream's error text when it cannot. */
  claimClusterIP(ip: string, owner: Owner, dryRun: boolean): Promise<string | undefined>;
  allocateNodePort(owner: Owner, dryRun: boolean): Promise<number | undefined>;
  claimNodePort(port: number, owner: Owner, dryRun: boolean): Promise<string | undefined>;
  releaseClusterIP(ip: string, owner: Owner): Promise<void>;
  releaseNodePort(port: number, owner: Owner): Promise<void>;
}

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORTS = { min: 30000, max: 32767 };
/** Random picks before a dynamic allocation reads what is held and picks among the rest. */
const RANDOM_TRIES = 16;

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** An in-memory ReservationStore (one process; tests and the registry's default). */
export function memoryReservations(): ReservationStore & { records: Map<string, Owner> } {
  const records = new Map<string, Owner>();
  return {
    records,
    async claim(key, owner, dryRun) {
      if (records.has(key)) return false;
      if (!dryRun) records.set(key, owner);
      return true;
    },
    async release(key, owner) {
      const r = records.get(key);
      if (r && r.namespace === owner.namespace && r.name === owner.name) records.delete(key);
    },
    async held() {
      return new Set(records.keys());
    },
  };
}

/** An IPv4 range: the network address and its size; undefined for anything else. */
interface Range {
  cidr: string;
  network: number;
  size: number;
}

export function parseRange(cidr: string): Range | undefined {
  const [baseText, bitsText] = cidr.split('/');
  const base = ipToInt(baseText ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !(bits >= 1 && bits <= 30)) return undefined;
  const size = 2 ** (32 - bits);
  return { cidr, network: base - (base % size), size };
}

/** The usable addresses of a range exclude its network and broadcast addresses. */
const inRange = (r: Range, n: number): boolean => n > r.network && n < r.network + r.size - 1;

export function createServiceAllocator(opts: ServiceAllocatorOptions = {}): ServiceAllocator {
  const cidr = opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
  const primary = parseRange(cidr);
  if (!primary) throw new Error(`invalid service CIDR ${cidr}`);
  const ports = opts.nodePortRange ?? DEFAULT_NODE_PORTS;
  const rand = opts.rand ?? Math.random;
  const ips = opts.ips ?? memoryReservations();
  const portStore = opts.ports ?? memoryReservations();

  /** The default range, then every other ServiceCIDR's (once each). */
  async function ranges(): Promise<Range[]> {
    const extra = (await opts.extraCIDRs?.()) ?? [];
    const out = [primary!];
    for (const c of extra) {
      const r = parseRange(c);
      if (r && !out.some((o) => o.network === r.network && o.size === r.size)) out.push(r);
    }
    return out;
  }

  /** Claims a random free value of [lo, hi] for owner: random picks first, then the free rest. */
  async function pick(store: ReservationStore, lo: number, hi: number, text: (n: number) => string, owner: Owner, dryRun: boolean): Promise<number | undefined> {
    const span = hi - lo + 1;
    if (span <= 0) return undefined;
    for (let i = 0; i < Math.min(RANDOM_TRIES, span); i++) {
      const n = lo + Math.floor(rand() * span);
      if (await store.claim(text(n), owner, dryRun)) return n;
    }
    const held = await store.held();
    const start = Math.floor(rand() * span);
    for (let i = 0; i < span; i++) {
      const n = lo + ((start + i) % span);
      if (!held.has(text(n)) && (await store.claim(text(n), owner, dryRun))) return n;
    }
    return undefined;
  }

  /** A free address of one range: above a small static band first, as upstream does since 1.24, so
   * that well-known addresses (10.96.0.1 for "kubernetes", .10 for DNS) stay free for requests. */
  async function allocateIn(r: Range, owner: Owner, dryRun: boolean): Promise<string | undefined> {
    const band = Math.min(Math.max(16, Math.floor(r.size / 16)), 256);
    const ip = (off: number) => intToIp(r.network + off);
    const off = (await pick(ips, band + 1, r.size - 2, ip, owner, dryRun)) ?? (await pick(ips, 1, Math.min(band, r.size - 2), ip, owner, dryRun));
    return off === undefined ? undefined : ip(off);
  }

  return {
    serviceCIDR: cidr,
    nodePortRange: ports,
    async allocateClusterIP(owner, dryRun) {
      for (const r of await ranges()) {
        const ip = await allocateIn(r, owner, dryRun);
        if (ip !== undefined) return ip;
      }
      return undefined;
    },
    async claimClusterIP(ip, owner, dryRun) {
      const n = ipToInt(ip);
      const all = await ranges();
      if (n === undefined || !all.some((r) => inRange(r, n))) {
        return `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${all.map((r) => r.cidr).join(',')}`;
      }
      return (await ips.claim(ip, owner, dryRun)) ? undefined : `failed to allocate IP ${ip}: provided IP is already allocated`;
    },
    allocateNodePort(owner, dryRun) {
      return pick(portStore, ports.min, ports.max, String, owner, dryRun);
    },
    async claimNodePort(port, owner, dryRun) {
      if (port < ports.min || port > ports.max) {
        return `provided port is not in the valid range. The range of valid ports is ${ports.min}-${ports.max}`;
      }
      return (await portStore.claim(String(port), owner, dryRun)) ? undefined : 'provided port is already allocated';
    },
    releaseClusterIP: (ip, owner) => ips.release(ip, owner),
    releaseNodePort: (port, owner) => portStore.release(String(port), owner),
  };
}

/** What a set of stored Services holds, per Service: the repair loop compares it with the records. */
export function serviceHoldings(svc: { metadata?: { namespace?: string; name?: string }; spec?: unknown }): { owner: Owner; clusterIPs: string[]; nodePorts: number[] } {
  const spec = (svc.spec ?? {}) as { type?: unknown; clusterIPs?: unknown; clusterIP?: unknown; ports?: unknown };
  const clusterIPs: string[] = [];
  const nodePorts: number[] = [];
  if (spec.type !== 'ExternalName') {
    const list = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [spec.clusterIP];
    for (const ip of list) if (typeof ip === 'string' && ip !== '' && ip !== 'None') clusterIPs.push(ip);
  }
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    const port = (p as { nodePort?: unknown }).nodePort;
    if (typeof port === 'number' && port > 0) nodePorts.push(port);
  }
  return { owner: { namespace: svc.metadata?.namespace ?? '', name: svc.metadata?.name ?? '' }, clusterIPs, nodePorts };
}
