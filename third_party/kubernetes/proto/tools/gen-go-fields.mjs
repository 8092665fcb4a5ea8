#!/usr/bin/env node
// Generates ../go-fields.json: for every protobuf message of the vendored .proto files, the JSON
// facts that the .proto cannot carry but Go's encoding/json applies (json name, omitempty,
// pointer, inline), read from the Go struct tags of the same upstream release (v0.26.1 of
// k8s.io/api, apimachinery, apiextensions-apiserver, kube-aggregator).
//
// Usage: node gen-go-fields.mjs <dir with git mirrors named kubernetes+api, ...> [tag]
// Each mirror is a bare git directory (`<mirror>/repo`); files are read with `git show <tag>:path`.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const protoRoot = join(here, '..');
const mirrors = process.argv[2];
const tag = process.argv[3] ?? 'v0.26.1';
if (!mirrors) throw new Error('usage: gen-go-fields.mjs <mirrors dir> [tag]');

/** proto dir (relative to protoRoot) → [mirror repo, path in repo] */
function sourceOf(protoDir) {
  const rules = [
    [/^k8s\.io\/api\/(.+)$/, 'api', (m) => m[1]],
    [/^k8s\.io\/apimachinery\/(.+)$/, 'apimachinery', (m) => m[1]],
    [/^k8s\.io\/apiextensions-apiserver\/(.+)$/, 'apiextensions-apiserver', (m) => m[1]],
    [/^k8s\.io\/kube-aggregator\/(.+)$/, 'kube-aggregator', (m) => m[1]],
  ];
  for (const [re, repo, path] of rules) {
    const m = protoDir.match(re);
    if (m) return [join(mirrors, `kubernetes+${repo}`, 'repo'), path(m)];
  }
  throw new Error(`no source for ${protoDir}`);
}

function git(repo, ...args) {
  return execFileSync('git', ['--git-dir', repo, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function protoDirs(dir, rel = '') {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'tools' ? [] : protoDirs(p, rel ? `${rel}/${f}` : f);
    return f === 'generated.proto' ? [rel] : [];
  });
}

const SKIP = /(_test\.go|zz_generated.*\.go|generated\.pb\.go|_swagger_doc_generated\.go)$/;

/** Parses struct fields with json/protobuf tags and slice type declarations from Go source. */
function parseGo(src, out, wrappers, pkg) {
  const lines = src.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const slice = lines[i].match(/^type (\w+) \[\](\S+)\s*$/);
    if (slice) wrappers.push(`${pkg}.${slice[1]}`);
    const st = lines[i].match(/^type (\w+) struct \{/);
    if (!st) continue;
    const fields = {};
    for (i++; i < lines.length && !/^\}/.test(lines[i]); i++) {
      const line = lines[i].replace(/\/\/.*$/, '');
      const tagm = line.match(/`([^`]*)`/);
      if (!tagm) continue;
      const pb = tagm[1].match(/protobuf:"([^"]*)"/);
      if (!pb) continue;
      // Tolerates upstream's `opt.name=apiGroup` typo in rbac/v1 Subject.
      const pname = /(?:^|[,.])name=([^,]+)/.exec(pb[1])?.[1];
      const js = tagm[1].match(/json:"([^"]*)"/)?.[1] ?? '';
      const [jname, ...opts] = js.split(',');
      const decl = line.slice(0, tagm.index).trim().split(/\s+/);
      const goType = decl.length >= 2 ? decl[1] : decl[0];
      let flags = '';
      if (opts.includes('omitempty')) flags += 'o';
      if (opts.includes('inline') || (decl.length === 1 && jname === '')) flags += 'i';
      if (goType.startsWith('*')) flags += 'p';
      if (jname === '-') flags += 'x';
      const rename = jname && jname !== '-' && jname !== pname ? `:${jname}` : '';
      if (pname) fields[pname] = flags + rename;
    }
    out[`${pkg}.${st[1]}`] = fields;
  }
}

const result = { source: `Go struct tags at ${tag}`, messages: {}, arrayWrappers: [] };
for (const dir of protoDirs(protoRoot).sort()) {
  const [repo, path] = sourceOf(dir);
  const pkg = dir.replace(/^k8s\.io\//, 'k8s.io.').replace(/-/g, '_').replace(/\//g, '.');
  const files = git(repo, 'ls-tree', '--name-only', `${tag}:${path}`).split('\n').filter((f) => f.endsWith('.go') && !SKIP.test(f));
  for (const f of files) parseGo(git(repo, 'show', `${tag}:${path}/${f}`), result.messages, result.arrayWrappers, pkg);
}
writeFileSync(join(protoRoot, 'go-fields.json'), JSON.stringify(result, null, 0).replace(/\},"/g, '},\n"') + '\n');
console.log(`messages: ${Object.keys(result.messages).length}, array wrappers: ${result.arrayWrappers.length}`);
