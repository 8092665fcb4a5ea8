import type { Plugin } from '../../internal/plugin/index.js';
import { sleep } from '../../internal/util/index.js';

const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' };
export const PROBE_LABEL = 'kplane.io/fencing-probe';
const INTERVAL_MS = 250;
const KEEP = 200;

/**
 * A diagnostic leader plugin (run it only by naming it in --plugins): while it holds its Lease it
 * creates one ConfigMap in kube-system every 250 ms, named after the node and a sequence number, and
 * logs every attempt with its outcome. Because each write is fenced with the Lease, the store never
 * holds a probe written after its node lost the Lease (the HA e2e tests compare the logs with the
 * store). It keeps its node's newest 200 probes.
 */
export function fencingProbe(): Plugin {
  return {
    name: 'fencing-probe',
    election: 'leader',
    defaultEnabled: false,
    async run(ctx) {
      const node = ctx.nodeName;
      for (let seq = ctx.clock.now(); !ctx.signal.aborted; seq++) {
        const name = `fencing-probe-${node}-${seq}`;
        const tried = new Date(ctx.clock.now()).toISOString();
        try {
          await ctx.client.create(CONFIGMAPS, 'kube-system', { metadata: { name, namespace: 'kube-system', labels: { [PROBE_LABEL]: node } }, data: { tried } });
          ctx.log.info({ probe: name, tried, ok: true }, 'fencing probe written');
        } catch (err) {
          ctx.log.info({ probe: name, tried, ok: false, err: String(err) }, 'fencing probe refused');
        }
        if (seq % 50 === 0) await prune(ctx.client, node).catch(() => undefined);
        await sleep(INTERVAL_MS, ctx.signal).catch(() => undefined);
      }
    },
  };
}

async function prune(client: Parameters<Plugin['run']>[0]['client'], node: string): Promise<void> {
  const mine = await client.list(CONFIGMAPS, 'kube-system', { labelSelector: `${PROBE_LABEL}=${node}` });
  const old = mine.items.map((o) => o.metadata.name ?? '').sort((a, b) => Number(a.slice(a.lastIndexOf('-') + 1)) - Number(b.slice(b.lastIndexOf('-') + 1)));
  for (const name of old.slice(0, Math.max(0, old.length - KEEP))) await client.delete(CONFIGMAPS, 'kube-system', name);
}
