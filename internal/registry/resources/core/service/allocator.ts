import type { Rand } from '../../../../util/index.js';

/**
 * Hands out Service cluster IPs and node ports. The generic store cannot do this (it is global
 * state across objects), so the Service strategy takes an allocator. `inUse` lets the composition
 * root supply what storage already holds (an informer or a list), which makes allocation correct
 * across restarts and across API servers; without it the allocator only knows its own claims.
 */
export interface ServiceAllocator {
  readonly serviceCIDR: string;
  readonly nodePortRange: { min: number; max: number };
  /** A free IP in the range, or undefined when the range is full. `dryRun` does not claim it. */
  allocateClusterIP(dryRun?: boolean): string | undefined;
  /** Claims a requested IP; returns upstream's error text when it cannot. */
  claimClusterIP(ip: string, dryRun?: boolean): string | undefined;
  allocateNodePort(dryRun?: boolean): number | undefined;
  claimNodePort(port: number, dryRun?: boolean): string | undefined;
  /** Forgets a claim (the Service was deleted). */
  release(ip: string | undefined, ports: number[]): void;
}

export interface ServiceAllocatorOptions {
  serviceCIDR?: string;
  nodePortRange?: { min: number; max: number };
  rand?: Rand;
  /** What storage holds now; called on every allocation. */
  inUse?: () => { clusterIPs: Iterable<string>; nodePorts: Iterable<number> };
}

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORTS = { min: 30000, max: 32767 };

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function createServiceAllocator(opts: ServiceAllocatorOptions = {}): ServiceAllocator {
  const cidr = opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
  const [baseText, bitsText] = cidr.split('/');
  const base = ipToInt(baseText ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !(bits >= 1 && bits <= 30)) throw new Error(`invalid service CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  const network = base - (base % size);
  const ports = opts.nodePortRange ?? DEFAULT_NODE_PORTS;
  const rand = opts.rand ?? Math.random;
  const ownIPs = new Set<string>();
  const ownPorts = new Set<number>();
  // Dynamic allocation prefers the range above a small static band, as upstream does since 1.24,
  // so that well-known addresses (10.96.0.1 for "kubernetes", .10 for DNS) stay free for requests.
  const band = Math.min(Math.max(16, Math.floor(size / 16)), 256);

  const usedIPs = (): Set<string> => new Set([...ownIPs, ...(opts.inUse?.().clusterIPs ?? [])]);
  const usedPorts = (): Set<number> => new Set([...ownPorts, ...(opts.inUse?.().nodePorts ?? [])]);

  function pick(lo: number, hi: number, used: (n: number) => boolean): number | undefined {
    const span = hi - lo + 1;
    if (span <= 0) return undefined;
    const start = Math.floor(rand() * span);
    for (let i = 0; i < span; i++) {
      const n = lo + ((start + i) % span);
      if (!used(n)) return n;
    }
    return undefined;
  }

  return {
    serviceCIDR: cidr,
    nodePortRange: ports,
    allocateClusterIP(dryRun) {
      const used = usedIPs();
      const taken = (off: number) => used.has(intToIp(network + off));
      const off = pick(band + 1, size - 2, taken) ?? pick(1, Math.min(band, size - 2), taken);
      if (off === undefined) return undefined;
      const ip = intToIp(network + off);
      if (!dryRun) ownIPs.add(ip);
      return ip;
    },
    claimClusterIP(ip, dryRun) {
      const n = ipToInt(ip);
      if (n === undefined || n <= network || n >= network + size - 1) {
        return `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidr}`;
      }
      if (usedIPs().has(ip)) return `failed to allocate IP ${ip}: provided IP is already allocated`;
      if (!dryRun) ownIPs.add(ip);
      return undefined;
    },
    allocateNodePort(dryRun) {
      const used = usedPorts();
      const port = pick(ports.min, ports.max, (p) => used.has(p));
      if (port !== undefined && !dryRun) ownPorts.add(port);
      return port;
    },
    claimNodePort(port, dryRun) {
      if (port < ports.min || port > ports.max) {
        return `provided port is not in the valid range. The range of valid ports is ${ports.min}-${ports.max}`;
      }
      if (usedPorts().has(port)) return 'provided port is already allocated';
      if (!dryRun) ownPorts.add(port);
      return undefined;
    },
    release(ip, released) {
      if (ip) ownIPs.delete(ip);
      for (const p of released) ownPorts.delete(p);
    },
  };
}

/** What a set of stored Services holds: feed an informer's or a list's items to `inUse`. */
export function serviceUsage(services: Iterable<{ spec?: unknown }>): { clusterIPs: string[]; nodePorts: number[] } {
  const clusterIPs: string[] = [];
  const nodePorts: number[] = [];
  for (const svc of services) {
    const spec = (svc.spec ?? {}) as { clusterIPs?: unknown; clusterIP?: unknown; ports?: unknown };
    const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [spec.clusterIP];
    for (const ip of ips) if (typeof ip === 'string' && ip !== '' && ip !== 'None') clusterIPs.push(ip);
    for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
      const port = (p as { nodePort?: unknown }).nodePort;
      if (typeof port === 'number' && port > 0) nodePorts.push(port);
    }
  }
  return { clusterIPs, nodePorts };
}
