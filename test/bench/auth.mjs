#!/usr/bin/env node
// npm run bench:auth: what authorization costs on the create path. One invocation starts the built
// kplane three times on the same machine (--datastore sqlite), each time driving the shared
// apibench create phase as a non-admin user (a static token, so the authorizer really decides):
//   off       --authorization-mode AlwaysAllow
//   rbac      RBAC,Node; the user holds `edit` through a ClusterRoleBinding
//   rbac-1000 as rbac, plus 1,000 RoleBindings (for other users) in the benchmark's namespace
// and reports server CPU per created object for each, and the ratio to `off`.
//
//   npm run bench:auth -- [--n 3000] [--rounds 2] [--bench-dir ../shared/bench]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const benchDir = resolve(ROOT, args['bench-dir'] ?? '../shared/bench');
const n = Number(args.n ?? 3000);
const rounds = Number(args.rounds ?? 2);
const NS = 'authbench';

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ready = (port) => new Promise((res) => {
  const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 1000 }, (r) => { r.resume(); res(r.statusCode === 200); });
  req.on('error', () => res(false)); req.on('timeout', () => { req.destroy(); res(false); }); req.end();
});
const kubectl = (kubeconfig, argv, input) => execFileSync('kubectl', ['--kubeconfig', kubeconfig, ...argv], { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'], maxBuffer: 64 << 20 });

async function run(mode, roleBindings) {
  const dir = mkdtempSync(join(tmpdir(), 'kplane-authbench-'));
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, 'bench-token,bench,uid-bench,"bench"\n');
  const port = await freePort();
  const proc = spawn(join(ROOT, 'bin', 'kplane'), ['server', '--data-dir', join(dir, 'data'), '--listen', `127.0.0.1:${port}`, '--datastore', 'sqlite', '--authorization-mode', mode, '--token-auth-file', tokens], { stdio: 'ignore', env: { ...process.env, KPLANE_LOG_LEVEL: 'warn' } });
  while (!(await ready(port))) { if (proc.exitCode !== null) throw new Error('kplane exited'); await sleep(20); }
  const admin = join(dir, 'data', 'kubeconfig');
  kubectl(admin, ['create', 'ns', NS]);
  kubectl(admin, ['create', 'clusterrolebinding', 'bench-edit', '--clusterrole=edit', '--user=bench']);
  // apibench POSTs its namespace first (201 or 409 both do): RBAC decides before existence.
  kubectl(admin, ['create', 'clusterrole', 'bench-ns', '--verb=create,get', '--resource=namespaces']);
  kubectl(admin, ['create', 'clusterrolebinding', 'bench-ns', '--clusterrole=bench-ns', '--user=bench']);
  if (roleBindings > 0) {
    const items = Array.from({ length: roleBindings }, (_, i) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: NS }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `user-${i}` }] }));
    kubectl(admin, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }
  // The bench user's kubeconfig: the cluster's CA, the static token, no client certificate.
  const ca = /certificate-authority-data: (\S+)/.exec(readFileSync(admin, 'utf8'))[1];
  const kc = join(dir, 'bench.kubeconfig');
  // Block style: the shared harness reads kubeconfigs with a small YAML subset (no flow mappings).
  writeFileSync(kc, ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster:', `    server: https://127.0.0.1:${port}`, `    certificate-authority-data: ${ca}`, 'users:', '- name: u', '  user:', '    token: bench-token', 'contexts:', '- name: x', '  context:', '    cluster: c', '    user: u', 'current-context: x', ''].join('\n'));
  await sleep(2000);
  const out = execFileSync('node', [join(benchDir, 'apibench.mjs'), '--kubeconfig', kc, '--n', String(n), '--namespace', NS, '--skip', 'get,get_parallel,list,watch,update,delete', '--server-pids', String(proc.pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const api = JSON.parse(out.trim().split('\n').pop());
  await new Promise((r) => { proc.on('exit', r); proc.kill('SIGTERM'); });
  rmSync(dir, { recursive: true, force: true });
  const c = api.create;
  if (c.errors) throw new Error(`${mode}: ${c.errors} create errors`);
  return { opsPerS: c.ops_per_s, serverCpuMsPerCreate: +((c.server_cpu_s * 1000) / c.ops).toFixed(3) };
}

const configs = [['off', 'AlwaysAllow', 0], ['rbac', 'RBAC,Node', 0], ['rbac-1000', 'RBAC,Node', 1000]];
const samples = Object.fromEntries(configs.map(([name]) => [name, []]));
// Interleaved rounds, so drift in the machine's load spreads over every configuration alike.
for (let r = 0; r < rounds; r++) {
  for (const [name, mode, rbs] of configs) {
    const s = await run(mode, rbs);
    samples[name].push(s);
    process.stderr.write(`round ${r + 1} ${name}: ${s.opsPerS} creates/s, server ${s.serverCpuMsPerCreate} ms CPU per create\n`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpu = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v.map((s) => s.serverCpuMsPerCreate))]));
console.log(JSON.stringify({ date: new Date().toISOString(), n, rounds, load: readFileSync('/proc/loadavg', 'utf8').trim(), samples, medianServerCpuMsPerCreate: cpu, vsOff: { rbac: +(cpu.rbac / cpu.off).toFixed(3), 'rbac-1000': +(cpu['rbac-1000'] / cpu.off).toFixed(3) } }, null, 1));
