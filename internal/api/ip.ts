import { isIP } from 'node:net';

/**
 * IP addresses and CIDRs as the networking API validates them: an IPAddress is named by the
 * canonical form of its address (RFC 5952 for IPv6), and a ServiceCIDR holds prefixes with no host
 * bits set. Addresses are handled as bigints so IPv4 and IPv6 share one arithmetic.
 */
export interface Cidr {
  family: 4 | 6;
  /** The network address (host bits zero). */
  base: bigint;
  bits: number;
}

const width = (family: 4 | 6): number => (family === 4 ? 32 : 128);

/** The canonical text of an IP (no leading zeros, IPv6 compressed and lower case), or undefined. */
export function canonicalIP(text: string): string | undefined {
  const family = isIP(text);
  if (family === 4) return text.split('.').map(Number).join('.');
  if (family === 6 && !text.includes('%')) return new URL(`http://[${text}]`).hostname.slice(1, -1);
  return undefined;
}

export function ipToBigInt(ip: string): { family: 4 | 6; value: bigint } | undefined {
  const canon = canonicalIP(ip);
  if (!canon) return undefined;
  if (isIP(canon) === 4) return { family: 4, value: canon.split('.').reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  const [head = '', tail = ''] = canon.split('::');
  const part = (s: string) => (s ? s.split(':') : []);
  let groups = [...part(head)];
  const rest = part(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const expand = (gs: string[]) => gs.flatMap((g) => (g.includes('.') ? ((n) => [(n >> 16) & 0xffff, n & 0xffff].map((x) => x.toString(16)))(Number(ipToBigInt(g)!.value)) : [g]));
  groups = expand(groups);
  const tailGroups = expand(rest);
  const fill = canon.includes('::') ? Array(8 - groups.length - tailGroups.length).fill('0') : [];
  const all = [...groups, ...fill, ...tailGroups];
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

export function bigIntToIP(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => Number((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  return canonicalIP(groups.join(':'))!;
}

/** Parses "10.96.0.0/12"; `strict` refuses host bits (ServiceCIDR spec.cidrs). */
export function parseCidr(text: string, strict = true): Cidr | undefined {
  const [ip = '', bitsText = '', extra] = text.split('/');
  const addr = ipToBigInt(ip);
  if (!addr || extra !== undefined || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > width(addr.family)) return undefined;
  const hostBits = BigInt(width(addr.family) - bits);
  const base = (addr.value >> hostBits) << hostBits;
  if (strict && (base !== addr.value || canonicalIP(ip) !== ip)) return undefined;
  return { family: addr.family, base, bits };
}

export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(width(c.family) - c.bits);
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const a = ipToBigInt(ip);
  return !!a && a.family === c.family && a.value >= c.base && a.value < c.base + cidrSize(c);
}

export function formatCidr(c: Cidr): string {
  return `${bigIntToIP(c.family, c.base)}/${c.bits}`;
}
