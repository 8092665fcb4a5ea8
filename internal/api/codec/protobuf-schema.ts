import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type protobuf from 'protobufjs';
import { lazyModule, packageRoot } from '../../util/index.js';
import { CodecError } from './codec-error.js';

// Loaded on first use: most processes never see a protobuf body, and loading it slows every start.
const pb = lazyModule<typeof protobuf>('protobufjs');

/**
 * The vendored Kubernetes .proto files (third_party/kubernetes/proto), loaded lazily with
 * protobufjs on first use and cached for the life of the process, plus the Go JSON facts
 * (go-fields.json) the .proto files cannot express.
 */
export interface ProtoSchema {
  readonly root: protobuf.Root;
  /** How long parsing the .proto files took, in milliseconds (measured at load). */
  readonly loadMs: number;
  /** Go JSON facts for a message field: see fieldInfo(). */
  fieldInfo(type: protobuf.Type, protoField: string): GoFieldInfo;
  /** Messages that stand for a Go slice type (`ExtraValue []string`): JSON is the items array. */
  isArrayWrapper(type: protobuf.Type): boolean;
  /** The message type for apiVersion + kind, or a CodecError UnknownKind. */
  typeFor(apiVersion: string, kind: string): protobuf.Type;
}

export interface GoFieldInfo {
  /** The JSON key (usually the proto name). */
  json: string;
  omitempty: boolean;
  /** A Go pointer: present-with-zero differs from absent. */
  pointer: boolean;
  /** Go `json:",inline"`: the sub-message's keys live in the parent object. */
  inline: boolean;
  /** Go `json:"-"`: never in JSON. */
  skip: boolean;
}

export function protoDir(): string {
  return join(packageRoot(), 'third_party', 'kubernetes', 'proto');
}

let cached: ProtoSchema | undefined;

/** Loads (once) and returns the schema. Synchronous: the first call reads ~1 MB of .proto files. */
export function protoSchema(): ProtoSchema {
  return (cached ??= loadSchema(protoDir()));
}

function listProtoFiles(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return listProtoFiles(p, base);
    return f.endsWith('.proto') ? [relative(base, p)] : [];
  });
}

/** apiVersion group → proto package prefix, for the groups whose package is not k8s.io.api.<first label>. */
const GROUP_PACKAGES: Record<string, string> = {
  '': 'k8s.io.api.core',
  'apiextensions.k8s.io': 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions',
  'apiregistration.k8s.io': 'k8s.io.kube_aggregator.pkg.apis.apiregistration',
  'meta.k8s.io': 'k8s.io.apimachinery.pkg.apis.meta',
};

const META_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1';

function loadSchema(dir: string): ProtoSchema {
  const started = performance.now();
  const root = new (pb().Root)();
  // Imports are written "k8s.io/api/core/v1/generated.proto": resolve them under our folder.
  root.resolvePath = (_origin, target) => (target.startsWith(dir) ? target : join(dir, target));
  try {
    root.loadSync(listProtoFiles(dir), { keepCase: true });
    root.resolveAll();
  } catch (err) {
    throw new Error(`loading Kubernetes .proto files from ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const loadMs = performance.now() - started;
  const facts = JSON.parse(readFileSync(join(dir, 'go-fields.json'), 'utf8')) as {
    messages: Record<string, Record<string, string>>;
    arrayWrappers: string[];
  };
  const wrappers = new Set(facts.arrayWrappers);
  const types = new Map<string, protobuf.Type>();
  const infoCache = new Map<string, GoFieldInfo>();

  return {
    root,
    loadMs,
    fieldInfo(type, field) {
      const name = fullName(type);
      const key = `${name}\u0000${field}`;
      let info = infoCache.get(key);
      if (!info) {
        const raw = facts.messages[name]?.[field] ?? '';
        const colon = raw.indexOf(':');
        const flags = colon < 0 ? raw : raw.slice(0, colon);
        info = {
          json: colon < 0 ? field : raw.slice(colon + 1),
          omitempty: flags.includes('o'),
          pointer: flags.includes('p'),
          inline: flags.includes('i'),
          skip: flags.includes('x'),
        };
        infoCache.set(key, info);
      }
      return info;
    },
    isArrayWrapper(type) {
      return wrappers.has(fullName(type)) && type.fieldsArray.length === 1 && type.fieldsArray[0]!.name === 'items';
    },
    typeFor(apiVersion, kind) {
      const key = `${apiVersion}\u0000${kind}`;
      let t = types.get(key);
      if (!t) {
        t = findType(root, apiVersion, kind);
        types.set(key, t);
      }
      return t;
    },
  };
}

/** "k8s.io.api.core.v1.ConfigMap" (protobufjs keeps a leading dot). */
export function fullName(type: protobuf.Type): string {
  return type.fullName.startsWith('.') ? type.fullName.slice(1) : type.fullName;
}

function findType(root: protobuf.Root, apiVersion: string, kind: string): protobuf.Type {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = GROUP_PACKAGES[group] ?? `k8s.io.api.${group.split('.')[0]}`;
  // Option kinds (DeleteOptions, CreateOptions, ...) are registered in every group-version but
  // defined once in meta/v1.
  for (const name of [`${pkg}.${version}.${kind}`, `${META_V1}.${kind}`]) {
    const found = root.lookup(name);
    if (found instanceof pb().Type) return found;
  }
  throw new CodecError('UnknownKind', `no kind "${kind}" is registered for version "${apiVersion}"`);
}
