import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { adminRequest, type AdminCreds, type HaCluster, type HaNode, waitFor } from './ha-harness.js';

/**
 * Leader-election takeovers with real processes: which node holds a plugin Lease in kube-system,
 * killing it (SIGKILL, SIGTERM) and timing how long until another node holds it. Shared by the
 * takeover e2e test and the on-demand takeover benchmark.
 */

/** Leader election flags short enough for tests: a crashed holder is replaced within about 5 s. */
export const SHORT_LEASE_FLAGS = ['--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '500ms'];

export const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';

export interface LeaseState {
  holder: string;
  resourceVersion: string;
  /** When the holder acquired it, on the holder's clock (ms since the epoch); NaN if unset. */
  acquiredAt: number;
  transitions: number;
}

/** The node part of a holder identity ("vm-2_1f2e3d4c" → "vm-2"). */
export function holderNode(holder: string): string {
  const i = holder.lastIndexOf('_');
  return i < 0 ? holder : holder.slice(0, i);
}

export async function readLease(creds: AdminCreds, node: HaNode, name: string): Promise<LeaseState | undefined> {
  const r = await adminRequest(creds, node.apiPort, 'GET', `${LEASE_PATH}/${name}`, undefined, 3000);
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new Error(`${node.name}: GET lease ${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  const l = JSON.parse(r.body) as { metadata: { resourceVersion: string }; spec?: { holderIdentity?: string; acquireTime?: string; leaseTransitions?: number } };
  return { holder: l.spec?.holderIdentity ?? '', resourceVersion: l.metadata.resourceVersion, acquiredAt: Date.parse(l.spec?.acquireTime ?? ''), transitions: l.spec?.leaseTransitions ?? 0 };
}

/** Each running node's node name (--node-name or the claimed default), from its /kplane/plugins. */
export async function nodeNames(creds: AdminCreds, nodes: HaNode[]): Promise<Map<string, HaNode>> {
  const out = new Map<string, HaNode>();
  for (const n of nodes) {
    const st = await waitFor(`${n.name}'s plugins`, 60_000, async () => {
      const r = await adminRequest(creds, n.apiPort, 'GET', '/kplane/plugins', undefined, 3000);
      return r.status === 200 ? (JSON.parse(r.body) as { node: string; identity: string }) : undefined;
    }, 250);
    out.set(st.node, n);
  }
  return out;
}

/** The running node that holds the Lease now (waits until some running node holds it). */
export async function holderOf(c: HaCluster, names: Map<string, HaNode>, lease: string, timeoutMs = 60_000): Promise<{ node: HaNode; lease: LeaseState }> {
  return waitFor(`a running holder of Lease ${lease}`, timeoutMs, async () => {
    const via = c.nodes.find((n) => n.running)!;
    const l = await readLease(c.creds(), via, lease);
    const node = l?.holder ? names.get(holderNode(l.holder)) : undefined;
    return l && node?.running ? { node, lease: l } : undefined;
  }, 100);
}

export type KillKind = 'SIGKILL' | 'SIGTERM';

export interface Takeover {
  victim: HaNode;
  old: LeaseState;
  now: LeaseState;
  /** From the signal to the new holder's acquireTime (one machine, one clock). */
  ms: number;
}

/**
 * Signals the node holding `lease` and waits until another running node holds it. The figure is
 * the new holder's acquireTime minus the moment of the signal, so polling adds nothing to it. The
 * victim is left stopped (the caller restarts it).
 */
export async function killHolder(c: HaCluster, names: Map<string, HaNode>, lease: string, kind: KillKind, timeoutMs: number): Promise<Takeover> {
  const { node: victim, lease: old } = await holderOf(c, names, lease);
  const t0 = Date.now();
  if (kind === 'SIGKILL') await victim.kill9();
  else await victim.stop();
  const now = await waitFor(`another node holding Lease ${lease} after ${kind} of ${victim.name}`, timeoutMs, async () => {
    const l = await firstAnswer(c.nodes.filter((n) => n.running), (n) => readLease(c.creds(), n, lease));
    return l && l.holder && l.holder !== old.holder ? l : undefined;
  }, 50);
  return { victim, old, now, ms: now.acquiredAt - t0 };
}

/** The first node's answer that does not throw (a node may be busy electing a Raft leader). */
async function firstAnswer<T>(nodes: HaNode[], f: (n: HaNode) => Promise<T>): Promise<T | undefined> {
  let last: unknown;
  for (const n of nodes) {
    try {
      return await f(n);
    } catch (err) {
      last = err;
    }
  }
  throw last ?? new Error('no running node');
}

export interface LeaseEvent {
  type: string;
  resourceVersion: string;
  holder: string;
}

/**
 * Watches a list path (with `watch=1` and its query) through one node; calls onEvent with each
 * event's type and object as it arrives.
 */
export function watchPath<T>(creds: AdminCreds, node: HaNode, path: string, onEvent: (type: string, obj: T) => void) {
  let buf = '';
  const req = request({ host: '127.0.0.1', port: node.apiPort, path, ...creds, agent: false }, (res) => {
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const ev = JSON.parse(buf.slice(0, i)) as { type: string; object: T };
        buf = buf.slice(i + 1);
        onEvent(ev.type, ev.object);
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { stop: () => req.destroy() };
}

/** Watches one Lease through one node from a resourceVersion; records every event with its revision. */
export function watchLease(creds: AdminCreds, node: HaNode, name: string, fromRv: string) {
  const events: LeaseEvent[] = [];
  const path = `${LEASE_PATH}?watch=1&fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}&resourceVersion=${fromRv}`;
  type Lease = { metadata: { resourceVersion: string }; spec?: { holderIdentity?: string } };
  const w = watchPath<Lease>(creds, node, path, (type, o) => events.push({ type, resourceVersion: o.metadata.resourceVersion, holder: o.spec?.holderIdentity ?? '' }));
  return { events, stop: w.stop };
}

/** The holder identity of a node's plugin host (its electors'), from its /kplane/plugins. */
export async function hostIdentity(creds: AdminCreds, node: HaNode): Promise<string> {
  const r = await adminRequest(creds, node.apiPort, 'GET', '/kplane/plugins', undefined, 3000);
  if (r.status !== 200) throw new Error(`${node.name}: GET /kplane/plugins: HTTP ${r.status} ${r.body.slice(0, 200)}`);
  return (JSON.parse(r.body) as { identity: string }).identity;
}

/**
 * Hands a Lease to `identity`, as an operator editing the Lease would: a fresh renewTime, one more
 * transition. The holder steps down when it sees another holder; the candidate with that identity
 * finds its own identity in the Lease and renews it at its next attempt (client-go's rule).
 */
export async function handLease(creds: AdminCreds, node: HaNode, name: string, identity: string): Promise<void> {
  for (let i = 0; ; i++) {
    const r = await adminRequest(creds, node.apiPort, 'GET', `${LEASE_PATH}/${name}`, undefined, 3000);
    if (r.status !== 200) throw new Error(`${node.name}: GET lease ${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    const l = JSON.parse(r.body) as { spec?: { leaseTransitions?: number } };
    const now = new Date().toISOString().replace('Z', '000Z');
    const body = { ...l, spec: { ...l.spec, holderIdentity: identity, acquireTime: now, renewTime: now, leaseTransitions: (l.spec?.leaseTransitions ?? 0) + 1 } };
    const put = await adminRequest(creds, node.apiPort, 'PUT', `${LEASE_PATH}/${name}`, body, 3000);
    if (put.status === 200) return;
    // The holder renewed in between (409): read it again.
    if (put.status !== 409 || i >= 10) throw new Error(`${node.name}: PUT lease ${name}: HTTP ${put.status} ${put.body.slice(0, 200)}`);
  }
}

/** A node's JSON log lines with the given message (pino: one object per line). */
export function logLines(file: string, msg: RegExp): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (typeof o.msg === 'string' && msg.test(o.msg)) out.push(o);
    } catch {
      // a line cut by a kill
    }
  }
  return out;
}

/** min / median / max of a sample, rounded to ms. */
export function summary(ms: number[]): { n: number; min: number; median: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return { n: s.length, min: Math.round(s[0] ?? NaN), median: Math.round(mid), max: Math.round(s[s.length - 1] ?? NaN) };
}
