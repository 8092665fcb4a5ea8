import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/index.js';
import { encodeGnosticV2 } from './gnostic.js';

/**
 * Upstream's published OpenAPI documents (third_party/kubernetes/openapi), read lazily and kept as
 * bytes: parsing the 3 MB v2 document costs about 30 MB of heap, which the idle-memory budget cannot
 * afford, so it is parsed only when a custom resource must be merged in.
 */
export function openapiDir(): string {
  return join(packageRoot(), 'third_party', 'kubernetes', 'openapi');
}

/** "apis/apps/v1" → "apis__apps__v1.json" (the vendored file naming). */
export function v3FileFor(path: string): string {
  return join(openapiDir(), 'v3', `${path.replace(/\//g, '__')}.json`);
}

/** Every vendored v3 document path, e.g. ["api", "api/v1", "apis", "apis/apps", "apis/apps/v1", ...]. */
export function vendoredV3Paths(): string[] {
  const dir = join(openapiDir(), 'v3');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5).replace(/__/g, '/'))
    .sort();
}

/** Where the build writes the gnostic encoding of the vendored v2 document (see tsup.config.ts). */
export function builtGnosticV2File(): string {
  return join(packageRoot(), 'dist', 'openapi', 'v2.gnostic.pb');
}

let gnosticV2: Buffer | undefined;

/**
 * The vendored v2 document in gnostic protobuf. Encoding it takes the event loop for most of a
 * second, so the build does it once (tsup.config.ts); a source checkout without a build encodes it
 * on first use and keeps it for the life of the process.
 */
export function vendoredGnosticV2(): Buffer {
  if (gnosticV2) return gnosticV2;
  const built = builtGnosticV2File();
  gnosticV2 = existsSync(built)
    ? readFileSync(built)
    : encodeGnosticV2(JSON.parse(readFileSync(join(openapiDir(), 'v2.json'), 'utf8')));
  return gnosticV2;
}

export function readVendored(path: string): Buffer {
  return readFileSync(path);
}

/** kube-openapi's hash form: upper-case hex SHA-512 of the served bytes. */
export function hashOf(body: Buffer): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

const metaCache = new Map<string, Record<string, unknown>>();

/**
 * The schemas named (and everything they reference) from a vendored v3 document, used to give
 * custom resource documents ObjectMeta, ListMeta and friends.
 */
export function vendoredSchemas(docPath: string, roots: string[]): Record<string, unknown> {
  const key = `${docPath}|${roots.join(',')}`;
  const hit = metaCache.get(key);
  if (hit) return hit;
  const all = (JSON.parse(readFileSync(v3FileFor(docPath), 'utf8')).components?.schemas ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const visit = (name: string) => {
    if (out[name] || !all[name]) return;
    out[name] = all[name];
    for (const m of JSON.stringify(all[name]).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) visit(m[1]!);
  };
  roots.forEach(visit);
  metaCache.set(key, out);
  return out;
}
