import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceCatalog, ResourceDefinition } from '../../registry/index.js';
import { encodeGnosticV2Additions } from './gnostic.js';
import { customV2Additions, customV3Document } from './custom-docs.js';
import { hashOf, openapiDir, readVendored, v3FileFor, vendoredGnosticV2, vendoredV3Paths } from './vendored.js';

export interface ServedDocument {
  body: Buffer;
  /** Upper-case hex SHA-512 of body; the `?hash=` of v3 URLs and the ETag. */
  hash: string;
}

/**
 * The OpenAPI documents of the served API: upstream's vendored documents for built-in groups, and
 * generated documents for custom resources. Everything is computed on first request and cached
 * until the catalog changes (a CRD is established or removed).
 */
export interface OpenApiService {
  /** `/openapi/v3`: {paths: {"apis/apps/v1": {serverRelativeURL: "/openapi/v3/apis/apps/v1?hash=H"}}}. */
  v3Index(): ServedDocument;
  /** One group-version document, e.g. "apis/apps/v1"; undefined when not served. */
  v3Document(path: string): ServedDocument | undefined;
  /** `/openapi/v2` as JSON, with custom resources merged in. */
  v2Json(): ServedDocument;
  /** `/openapi/v2` in gnostic protobuf (kubectl 1.27 and 1.28). */
  v2Protobuf(): ServedDocument;
}

function gvPath(def: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return def.group ? `apis/${def.group}/${def.version}` : `api/${def.version}`;
}

export function createOpenApiService(catalog: ResourceCatalog): OpenApiService {
  let index: ServedDocument | undefined;
  let v2: ServedDocument | undefined;
  let v2pb: ServedDocument | undefined;
  const docs = new Map<string, ServedDocument>();
  catalog.onChange(() => {
    index = undefined;
    v2 = undefined;
    v2pb = undefined;
    docs.clear();
  });

  const customByGV = () => {
    const m = new Map<string, ResourceDefinition[]>();
    for (const d of catalog.definitions()) {
      if (!d.custom) continue;
      const p = gvPath(d);
      m.set(p, [...(m.get(p) ?? []), d]);
    }
    return m;
  };

  /** Paths served: vendored documents of groups we serve, plus one per custom group-version. */
  const servedPaths = (): string[] => {
    const builtinGVs = new Set(catalog.definitions().filter((d) => !d.custom).map(gvPath));
    const builtinGroups = new Set([...builtinGVs].map((p) => p.split('/').slice(0, 2).join('/')));
    const vendored = vendoredV3Paths().filter((p) => p === 'api' || p === 'apis' || builtinGVs.has(p) || builtinGroups.has(p));
    return [...new Set([...vendored, ...customByGV().keys()])].sort();
  };

  const document = (path: string): ServedDocument | undefined => {
    const hit = docs.get(path);
    if (hit) return hit;
    let body: Buffer | undefined;
    const custom = customByGV().get(path);
    if (custom) body = Buffer.from(JSON.stringify(customV3Document(custom)));
    else if (servedPaths().includes(path)) body = readVendored(v3FileFor(path));
    if (!body) return undefined;
    const doc = { body, hash: hashOf(body) };
    docs.set(path, doc);
    return doc;
  };

  return {
    v3Index() {
      if (index) return index;
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const p of servedPaths()) {
        const d = document(p);
        if (d) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
      }
      const body = Buffer.from(JSON.stringify({ paths }));
      return (index = { body, hash: hashOf(body) });
    },
    v3Document: document,
    v2Json() {
      if (v2) return v2;
      const file = join(openapiDir(), 'v2.json');
      const custom = [...customByGV().values()].flat();
      let body: Buffer;
      if (custom.length === 0) {
        body = readFileSync(file);
      } else {
        // Parsed only while merging; the parsed form is dropped right after (heap budget).
        const doc = JSON.parse(readFileSync(file, 'utf8'));
        const add = customV2Additions(custom);
        Object.assign(doc.definitions, add.definitions);
        Object.assign(doc.paths, add.paths);
        body = Buffer.from(JSON.stringify(doc));
      }
      return (v2 = { body, hash: hashOf(body) });
    },
    v2Protobuf() {
      if (v2pb) return v2pb;
      const custom = [...customByGV().values()].flat();
      const builtin = vendoredGnosticV2();
      const body = custom.length === 0 ? builtin : Buffer.concat([builtin, encodeGnosticV2Additions(customV2Additions(custom))]);
      return (v2pb = { body, hash: hashOf(body) });
    },
  };
}
