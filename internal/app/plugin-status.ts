import type { FastifyInstance } from 'fastify';
import { LEASES, LEASE_NAMESPACE } from '../leaderelection/index.js';
import type { PluginHost, PluginStatus } from '../plugin/index.js';

export const PLUGINS_PATH = '/kplane/plugins';

/** A Lease of kube-system as `kplane status` shows it: who holds it (node name and identity). */
export interface LeaseHolder {
  lease: string;
  holder: string;
  /** The node part of the holder identity (node name + "_" + random suffix). */
  node: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface PluginsStatus {
  node: string;
  identity: string;
  plugins: PluginStatus[];
  leases: LeaseHolder[];
}

/** The node name in a holder identity ("node-a_1f2e3d4c" → "node-a"); "" for a released Lease. */
export function holderNode(holder: string): string {
  const i = holder.lastIndexOf('_');
  return i < 0 ? holder : holder.slice(0, i);
}

/** This node's plugins and the cluster's plugin Leases, from the host and its Lease informer. */
export function pluginsStatus(node: string, host: PluginHost): PluginsStatus {
  const leases = host.informers
    .informer(LEASES, LEASE_NAMESPACE)
    .lister.list(LEASE_NAMESPACE)
    .filter((l) => !l.metadata.name?.startsWith('kplane-node-'))
    .map((l) => {
      const spec = (l.spec ?? {}) as { holderIdentity?: string; renewTime?: string; leaseTransitions?: number };
      const holder = spec.holderIdentity ?? '';
      return { lease: l.metadata.name ?? '', holder, node: holderNode(holder), renewTime: spec.renewTime, leaseTransitions: spec.leaseTransitions };
    })
    .sort((a, b) => a.lease.localeCompare(b.lease));
  return { node, identity: host.identity, plugins: host.status(), leases };
}

/** /readyz?verbose lines: one per plugin, informational (they never fail readiness). */
export function pluginReadyLines(host: PluginHost | undefined): string[] {
  if (!host) return ['[+]plugins: not started yet (informational)'];
  return host.status().map((p) => {
    const lease = p.lease ? `, lease ${p.lease} held by ${p.holder ? holderNode(p.holder) : 'nobody'}` : '';
    return `[+]plugin/${p.name}: ${p.state} (${p.election}${lease}; informational)`;
  });
}

/** GET /kplane/plugins for `kplane status`; registered before listen, answers once the host runs. */
export function registerPluginStatus(app: FastifyInstance, current: () => { node: string; host: PluginHost } | undefined): void {
  app.get(PLUGINS_PATH, async (_req, reply) => {
    const c = current();
    if (!c) return reply.code(503).send({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'plugins not started yet', reason: 'ServiceUnavailable', code: 503 });
    return reply.send(pluginsStatus(c.node, c.host));
  });
}
