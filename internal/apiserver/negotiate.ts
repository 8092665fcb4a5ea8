/**
 * Accept-header negotiation. Responses are always JSON (a protobuf-first Accept still gets JSON, which
 * every measured client accepts); what varies is the shape: plain objects, Table, PartialObjectMetadata,
 * and on /api and /apis the aggregated discovery document.
 */

export interface MediaRange {
  type: string;
  subtype: string;
  params: Record<string, string>;
  q: number;
}

/** Parses an Accept header into media ranges, highest q first (stable for equal q). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [full, ...rawParams] = part.split(';').map((s) => s.trim());
    if (!full) continue;
    const [type = '', subtype = ''] = full.toLowerCase().split('/');
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key.toLowerCase() === 'q') q = Number(value) || 0;
      else params[key] = value;
    }
    out.push({ type, subtype, params, q });
  }
  return out
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.q - a.m.q || a.i - b.i)
    .map((x) => x.m)
    .filter((m) => m.q > 0);
}

/** Media types we answer with a plain JSON document. */
function isPlainAcceptable(m: MediaRange): boolean {
  if (m.type === '*') return true;
  if (m.type !== 'application') return false;
  return ['*', 'json', 'yaml', 'vnd.kubernetes.protobuf'].includes(m.subtype);
}

const META_VERSIONS = new Set(['v1', 'v1beta1']);

export type ObjectOutput =
  | { kind: 'plain' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1' };

/**
 * Picks the response shape for get/list/watch. Unknown `as=` values are skipped; when nothing
 * matches we still answer plain JSON rather than 406, because clients fall back to it anyway.
 */
export function chooseObjectOutput(accept: string | undefined): ObjectOutput {
  for (const m of parseAccept(accept)) {
    const as = m.params.as;
    if (as === undefined) {
      if (isPlainAcceptable(m)) return { kind: 'plain' };
      continue;
    }
    if (m.params.g !== 'meta.k8s.io' || !META_VERSIONS.has(m.params.v ?? '')) continue;
    const version = m.params.v as 'v1' | 'v1beta1';
    if (as === 'Table') return { kind: 'table', version };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'partial', version };
  }
  return { kind: 'plain' };
}

export type DiscoveryOutput = { kind: 'legacy' } | { kind: 'aggregated'; version: 'v2' | 'v2beta1'; contentType: string };

/** The aggregated media types, as clients send them and as the Content-Type must echo them. */
export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** Picks aggregated discovery (v2 or v2beta1) or the legacy documents on /api and /apis. */
export function chooseDiscoveryOutput(accept: string | undefined): DiscoveryOutput {
  for (const m of parseAccept(accept)) {
    const as = m.params.as;
    if (as === undefined) {
      if (isPlainAcceptable(m)) return { kind: 'legacy' };
      continue;
    }
    if (as !== 'APIGroupDiscoveryList' || m.params.g !== 'apidiscovery.k8s.io') continue;
    if (m.type !== 'application' || m.subtype !== 'json') continue;
    if (m.params.v === 'v2' || m.params.v === 'v2beta1') {
      return { kind: 'aggregated', version: m.params.v, contentType: aggregatedContentType(m.params.v) };
    }
  }
  return { kind: 'legacy' };
}
