import { isIPv4, isIPv6 } from 'node:net';
import type { CelFunc, CelMap, CelValue } from '@bufbuild/cel';
import { celModule } from './engine.js';

// Kubernetes' CEL IP, CIDR and URL libraries: ip(s), isIP(s) and the IP
// methods family(), isUnspecified(), isLoopback(), isLinkLocalMulticast(), isLinkLocalUnicast(),
// isGlobalUnicast(); cidr(s), isCIDR(s) and containsIP(), containsCIDR(), ip(), masked(),
// prefixLength(); url(s), isURL(s) and getScheme(), getHost(), getHostname(), getPort(),
// getEscapedPath(), getQuery() (not yet: ip.isCanonical(), string() of an IP or CIDR). Values are opaque (CEL maps known to the
// library only, so a map literal is not an IP).

interface Ip { kind: 'ip'; family: 4 | 6; bytes: Uint8Array }
interface Cidr { kind: 'cidr'; ip: Ip; prefix: number }
interface Url { kind: 'url'; url: URL; raw: string }
type Tagged = Ip | Cidr | Url;
const tags = new WeakMap<object, Tagged>();

/** The value's text under one key, so that CEL's == compares the values (ip(a) == ip(b) when a and b are one address). */
function text(t: Tagged): [string, string] {
  if (t.kind === 'ip') return ['ip', ipString(t)];
  if (t.kind === 'cidr') return ['cidr', `${ipString(t.ip)}/${t.prefix}`];
  return ['url', t.raw];
}
function tagged(t: Tagged): CelMap {
  const m = celModule().cel.celMap(new Map<string, CelValue>([text(t)])) as CelMap;
  tags.set(m as object, t);
  return m;
}
function as<K extends Tagged['kind']>(v: unknown, kind: K): Extract<Tagged, { kind: K }> {
  const t = v && typeof v === 'object' ? tags.get(v) : undefined;
  if (!t || t.kind !== kind) throw new Error('no such overload');
  return t as Extract<Tagged, { kind: K }>;
}

function v4Bytes(s: string): Uint8Array {
  return Uint8Array.from(s.split('.').map(Number));
}
function v6Bytes(s: string): Uint8Array {
  let text = s;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...v4Bytes(dotted[1]!));
    text = text.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - r.length).fill('0'), ...r];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  });
  if (tail.length) out.set(tail, 12);
  return out;
}

/** Upstream's parser: IPv4 or IPv6, no zone, no IPv4-mapped IPv6 address. */
export function parseIp(s: string): Ip | string {
  const fail = (why: string) => `IP Address '${s}' parse error during conversion from string: ${why}`;
  if (s.includes('%')) return fail('IP address with zone value is not allowed');
  if (isIPv4(s) && !/(^|\.)0\d/.test(s)) return { kind: 'ip', family: 4, bytes: v4Bytes(s) };
  if (isIPv6(s)) {
    const bytes = v6Bytes(s);
    if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return fail('IPv4-mapped IPv6 address is not allowed');
    return { kind: 'ip', family: 6, bytes };
  }
  return fail(`ParseAddr(${JSON.stringify(s)}): unable to parse IP`);
}

/** The canonical text (RFC 5952 for IPv6: lowercase, longest zero run as ::). */
export function ipString(ip: Ip): string {
  if (ip.family === 4) return [...ip.bytes].join('.');
  const g = Array.from({ length: 8 }, (_, i) => (ip.bytes[i * 2]! << 8) | ip.bytes[i * 2 + 1]!);
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

export function parseCidr(s: string): Cidr | string {
  const fail = (why: string) => `network address parse error during conversion from string: ${why}`;
  const [addr, bits, extra] = s.split('/');
  if (bits === undefined || extra !== undefined || !/^\d{1,3}$/.test(bits)) return fail(`netip.ParsePrefix(${JSON.stringify(s)}): no '/'`);
  const ip = parseIp(addr!);
  if (typeof ip === 'string') return fail(ip);
  const prefix = Number(bits);
  if (prefix > (ip.family === 4 ? 32 : 128)) return fail(`netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bits)}`);
  return { kind: 'cidr', ip, prefix };
}

function masked(ip: Ip, prefix: number): Ip {
  const bytes = ip.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { ...ip, bytes };
}
const sameIp = (a: Ip, b: Ip) => a.family === b.family && a.bytes.every((x, i) => x === b.bytes[i]);
const contains = (c: Cidr, ip: Ip) => ip.family === c.ip.family && sameIp(masked(ip, c.prefix), masked(c.ip, c.prefix));

function orThrow<T>(r: T | string): T {
  if (typeof r === 'string') throw new Error(r);
  return r;
}
function parseUrl(s: string): Url | string {
  // Upstream accepts absolute URLs and absolute paths (url.ParseRequestURI).
  try {
    if (s.startsWith('/')) return { kind: 'url', url: new URL(s, 'http://placeholder'), raw: s };
    const u = new URL(s);
    return { kind: 'url', url: u, raw: s };
  } catch {
    return `URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`;
  }
}

/** The names these libraries add (for compile checks). */
export const NET_FUNCTIONS = ['ip', 'isIP', 'family', 'isUnspecified', 'isLoopback', 'isLinkLocalMulticast', 'isLinkLocalUnicast', 'isGlobalUnicast', 'cidr', 'isCIDR', 'containsIP', 'containsCIDR', 'masked', 'prefixLength', 'url', 'isURL', 'getScheme', 'getHost', 'getHostname', 'getPort', 'getEscapedPath', 'getQuery'];

export function netLibrary(): CelFunc[] {
  const { cel } = celModule();
  const { CelScalar, celFunc, celMethod, mapType, listType } = cel;
  const S = CelScalar.STRING;
  const B = CelScalar.BOOL;
  const M = mapType(S, CelScalar.DYN);
  const ipMethod = (name: string, test: (ip: Ip) => boolean) => celMethod(name, M, [], B, function (this: CelMap) { return test(as(this, 'ip')); });
  const b = (ip: Ip, i: number) => ip.bytes[i]!;
  const isV4Private = (ip: Ip) => b(ip, 0) === 10 || (b(ip, 0) === 172 && (b(ip, 1) & 0xf0) === 16) || (b(ip, 0) === 192 && b(ip, 1) === 168);
  const urlOf = (self: CelMap) => as(self, 'url');
  const cidrArg = (x: unknown): Cidr => (typeof x === 'string' ? orThrow(parseCidr(x)) : as(x, 'cidr'));
  const ipArg = (x: unknown): Ip => (typeof x === 'string' ? orThrow(parseIp(x)) : as(x, 'ip'));
  return [
    celFunc('ip', [S], M, (s) => tagged(orThrow(parseIp(s)))),
    celFunc('isIP', [S], B, (s) => typeof parseIp(s) !== 'string'),
    celMethod('family', M, [], CelScalar.INT, function (this: CelMap) { return BigInt(as(this, 'ip').family); }),
    ipMethod('isUnspecified', (ip) => ip.bytes.every((x) => x === 0)),
    ipMethod('isLoopback', (ip) => (ip.family === 4 ? b(ip, 0) === 127 : ip.bytes.slice(0, 15).every((x) => x === 0) && b(ip, 15) === 1)),
    ipMethod('isLinkLocalMulticast', (ip) => (ip.family === 4 ? b(ip, 0) === 224 && b(ip, 1) === 0 && b(ip, 2) === 0 : b(ip, 0) === 0xff && (b(ip, 1) & 0x0f) === 2)),
    ipMethod('isLinkLocalUnicast', (ip) => (ip.family === 4 ? b(ip, 0) === 169 && b(ip, 1) === 254 : b(ip, 0) === 0xfe && (b(ip, 1) & 0xc0) === 0x80)),
    ipMethod('isGlobalUnicast', (ip) => {
      if (ip.family === 4) return !(b(ip, 0) === 0 || b(ip, 0) === 127 || b(ip, 0) >= 224 || (b(ip, 0) === 169 && b(ip, 1) === 254) || ip.bytes.every((x) => x === 255)) || isV4Private(ip);
      return !(ip.bytes.every((x) => x === 0) || (ip.bytes.slice(0, 15).every((x) => x === 0) && b(ip, 15) === 1) || b(ip, 0) === 0xff || (b(ip, 0) === 0xfe && (b(ip, 1) & 0xc0) === 0x80));
    }),
    celFunc('cidr', [S], M, (s) => tagged(orThrow(parseCidr(s)))),
    celFunc('isCIDR', [S], B, (s) => typeof parseCidr(s) !== 'string'),
    celMethod('containsIP', M, [CelScalar.DYN], B, function (this: CelMap, x: CelValue) { return contains(as(this, 'cidr'), ipArg(x)); }),
    celMethod('containsCIDR', M, [CelScalar.DYN], B, function (this: CelMap, x: CelValue) {
      const c = as(this, 'cidr');
      const o = cidrArg(x);
      return o.prefix >= c.prefix && contains(c, o.ip);
    }),
    celMethod('ip', M, [], M, function (this: CelMap) { return tagged(as(this, 'cidr').ip); }),
    celMethod('masked', M, [], M, function (this: CelMap) { const c = as(this, 'cidr'); return tagged({ ...c, ip: masked(c.ip, c.prefix) }); }),
    celMethod('prefixLength', M, [], CelScalar.INT, function (this: CelMap) { return BigInt(as(this, 'cidr').prefix); }),
    celFunc('url', [S], M, (s) => tagged(orThrow(parseUrl(s)))),
    celFunc('isURL', [S], B, (s) => typeof parseUrl(s) !== 'string'),
    celMethod('getScheme', M, [], S, function (this: CelMap) { const u = urlOf(this); return u.raw.startsWith('/') ? '' : u.url.protocol.replace(/:$/, ''); }),
    celMethod('getHost', M, [], S, function (this: CelMap) { const u = urlOf(this); return u.raw.startsWith('/') ? '' : u.url.host; }),
    celMethod('getHostname', M, [], S, function (this: CelMap) { const u = urlOf(this); return u.raw.startsWith('/') ? '' : u.url.hostname.replace(/^\[(.*)\]$/, '$1'); }),
    celMethod('getPort', M, [], S, function (this: CelMap) { const u = urlOf(this); return u.raw.startsWith('/') ? '' : u.url.port; }),
    celMethod('getEscapedPath', M, [], S, function (this: CelMap) { return urlOf(this).url.pathname; }),
    celMethod('getQuery', M, [], mapType(S, listType(S)), function (this: CelMap) {
      const q = new Map<string, CelValue>();
      const params = urlOf(this).url.searchParams;
      for (const k of new Set(params.keys())) q.set(k, cel.celList(params.getAll(k)));
      return cel.celMap(q) as CelMap;
    }),
  ];
}
