import { Command, Flags } from '@oclif/core';
import { fetchClusterStatus } from '../internal/app/index.js';

export default class Status extends Command {
  static override description = 'Show the replicated datastore: members, roles, leader, term, applied index, lag and health (raftsqlite).';

  static override flags = {
    'data-dir': Flags.string({ description: 'data directory of the local node', default: './kplane-data' }),
    server: Flags.string({ description: 'API URL of the node to ask (default: the one in DATA_DIR/kubeconfig)' }),
    output: Flags.string({ char: 'o', description: 'output format', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Status);
    const st = await fetchClusterStatus(flags['data-dir'], flags.server);
    if (flags.output === 'json') return this.log(JSON.stringify(st, null, 2));
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
}
