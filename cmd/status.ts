import { Command, Flags } from '@oclif/core';
import { fetchClusterStatus, fetchPluginsStatus, holderNode, type ClusterStatus, type PluginsStatus } from '../internal/app/index.js';

export default class Status extends Command {
  static override description = 'Show the replicated datastore (members, roles, leader, term, applied index, lag and health; raftsqlite), this node\'s plugins and which node holds each plugin Lease.';

  static override flags = {
    'data-dir': Flags.string({ description: 'data directory of the local node', default: './kplane-data' }),
    server: Flags.string({ description: 'API URL of the node to ask (default: the one in DATA_DIR/kubeconfig)' }),
    output: Flags.string({ char: 'o', description: 'output format', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    // A datastore other than raftsqlite has no Raft status (404); the plugin part is always there.
    const [st, plugins] = await Promise.all([
      fetchClusterStatus(flags['data-dir'], flags.server).catch((err: Error) => {
        if (/HTTP 404/.test(err.message)) return undefined;
        throw err;
      }),
      fetchPluginsStatus(flags['data-dir'], flags.server).catch((err: Error) => err),
    ]);
    if (flags.output === 'json') return this.log(JSON.stringify({ ...(st ?? {}), ...(plugins instanceof Error ? {} : { plugins }) }, null, 2));
    if (st) this.printRaft(st);
    if (plugins instanceof Error) this.log(`plugins: ${plugins.message}`);
    else this.printPlugins(plugins);
  }

  private printRaft(st: ClusterStatus): void {
    const ha = st.voters.length >= 3 ? 'yes' : `no (${st.voters.length} voter${st.voters.length === 1 ? '' : 's'}; need 3 nodes)`;
    this.log(`node ${st.id}: ${st.role}, leader ${st.leader || 'none'}, term ${st.term}, commit ${st.commit}, applied ${st.applied}, ready ${st.ready}`);
    this.log(`advertises: ${st.members[String(st.id)] ?? st.spares?.[String(st.id)] ?? '-'}`);
    this.log(`cluster id: ${st.clusterId ?? 'none'}`);
    this.log(`high availability: ${ha}`);
    this.log('MEMBER  ROLE     ADDRESS                          DOMAIN     LAG      LAST SEEN');
    const spares = st.spares ?? {};
    const ids = [...new Set([...st.voters, ...st.learners, ...Object.keys(st.members).map(Number), ...Object.keys(spares).map(Number)])].sort((a, b) => a - b);
    for (const id of ids) {
      const role = st.voters.includes(id) ? 'voter' : st.learners.includes(id) ? 'standby' : 'spare';
      const p = st.progress?.[String(id)];
      const lag = p ? String(Math.max(0, st.commit - p.match)) : '-';
      const down = st.unreachable?.[String(id)];
      const heard = p?.lastHeardMsAgo !== undefined ? `${p.lastHeardMsAgo} ms ago` : '-';
      const seen = id === st.id ? 'self' : down ? `unreachable: ${down.error} since ${new Date(down.since).toISOString().replace(/\.\d+Z$/, 'Z')}` : heard;
      this.log(`${String(id).padEnd(8)}${(role + (id === st.leader ? '*' : '')).padEnd(9)}${(st.members[String(id)] || spares[String(id)] || '-').padEnd(33)}${(st.domains?.[String(id)] ?? '-').padEnd(11)}${lag.padEnd(9)}${seen}`);
    }
  }

  private printPlugins(p: PluginsStatus): void {
    this.log(`node name: ${p.node} (lease holder identity ${p.identity})`);
    this.log('PLUGIN                    ELECTION       STATE     LEASE                     HOLDER NODE');
    for (const s of p.plugins) {
      const holder = s.lease ? (s.holder ? holderNode(s.holder) : '(released)') : '-';
      this.log(`${s.name.padEnd(26)}${s.election.padEnd(15)}${s.state.padEnd(10)}${(s.lease ?? '-').padEnd(26)}${holder}`);
    }
    if (!p.leases.length) return;
    this.log('LEASE (kube-system)       HOLDER NODE           TRANSITIONS  RENEWED');
    for (const l of p.leases) this.log(`${l.lease.padEnd(26)}${(l.node || '(released)').padEnd(22)}${String(l.leaseTransitions ?? 0).padEnd(13)}${l.renewTime ?? '-'}`);
  }
}
