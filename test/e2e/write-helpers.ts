import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { hasBinary, kubectl, type KubectlResult } from './harness.js';

/**
 * Shared pieces of the write-path e2e files: the kubectl versions under test (1.27 speaks
 * OpenAPI v2 protobuf and JSON bodies; 1.32 and 1.33 OpenAPI v3 and protobuf bodies), and a
 * small client that checks exit codes and reads stored objects back as JSON.
 */
export const WRITE_VERSIONS = ['1.27', '1.32', '1.33'].filter((v) => hasBinary(`kubectl.${v}`));

export type Obj = Record<string, any>;

export interface Kubectl {
  version: string;
  /** Runs kubectl; never throws. */
  run(args: string[], opts?: { input?: string; env?: Record<string, string> }): KubectlResult;
  /** Runs kubectl and expects exit 0; returns stdout. */
  ok(args: string[], opts?: { input?: string; env?: Record<string, string> }): string;
  /** The stored object (`get -o json --show-managed-fields`). */
  get(ns: string | undefined, ...what: string[]): Obj;
  /** Writes a manifest to a temporary file and returns its path. */
  file(name: string, content: string): string;
}

export function kubectlFor(kubeconfig: () => string, version: string): Kubectl {
  const dir = mkdtempSync(join(tmpdir(), `kplane-write-${version}-`));
  const run: Kubectl['run'] = (args, opts = {}) => kubectl(kubeconfig(), args, { version, ...opts });
  const ok: Kubectl['ok'] = (args, opts) => {
    const r = run(args, opts);
    expect(r.code, `kubectl ${version} ${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  return {
    version,
    run,
    ok,
    get: (ns, ...what) => JSON.parse(ok([...(ns ? ['-n', ns] : []), 'get', ...what, '-o', 'json', '--show-managed-fields'])) as Obj,
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
  };
}

/** Manager/operation[/subresource] of each managedFields entry. */
export function managers(obj: Obj): string[] {
  return ((obj.metadata?.managedFields ?? []) as Obj[]).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);
}

/** Go's json.Marshal of a map: keys sorted at every level (how kubectl writes last-applied-configuration). */
export function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Obj;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A short namespace/name suffix per kubectl version: "127". */
export function tag(version: string): string {
  return version.replace('.', '');
}
