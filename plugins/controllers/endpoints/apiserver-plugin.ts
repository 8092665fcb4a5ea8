import { isApiError, type KubeObject } from '../../../internal/api/index.js';
import { microTime, pause, type Client } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { jsonEqual } from '../../../internal/util/index.js';
import { tolerate } from '../shared/plugin.js';
import { ENDPOINTS, ENDPOINTSLICES, LEASES } from '../shared/refs.js';
import { APISERVER_LEASE_SECONDS, IDENTITY_LABEL, apiServerEndpoints, apiServerLease, apiServerSlices, liveApiServers, type ApiServerAddress } from './apiservers.js';

const RENEW_MS = (APISERVER_LEASE_SECONDS * 1000) / 3;
/** After a failed pass (at start kube-system may not exist yet) the next comes sooner. */
const RETRY_MS = 1000;

async function upsert(client: Client, ref: typeof ENDPOINTS, obj: KubeObject): Promise<void> {
  const ns = obj.metadata.namespace;
  const cur = await tolerate(() => client.get(ref, ns, obj.metadata.name!), 'NotFound');
  if (!cur) {
    await tolerate(() => client.create(ref, ns, obj), 'AlreadyExists');
    return;
  }
  const same = (k: string) => jsonEqual(cur[k], obj[k]);
  if (same('endpoints') && same('ports') && same('addressType') && jsonEqual(cur.metadata.labels, obj.metadata.labels)) return;
  await client.update(ref, ns, { ...obj, metadata: { ...cur.metadata, labels: obj.metadata.labels } });
}

async function reconcile(client: Client, nodeName: string, self: ApiServerAddress, now: number): Promise<void> {
  const name = `kube-apiserver-${nodeName}`;
  const current = await tolerate(() => client.get(LEASES, 'kube-system', name), 'NotFound');
  const lease = apiServerLease(nodeName, self, microTime(now), current);
  if (current) await client.update(LEASES, 'kube-system', lease);
  else await tolerate(() => client.create(LEASES, 'kube-system', lease), 'AlreadyExists');
  const leases = (await client.list(LEASES, 'kube-system', { labelSelector: `${IDENTITY_LABEL}=kube-apiserver` })).items;
  const live = liveApiServers(leases, now);
  const ep = apiServerEndpoints(live, await tolerate(() => client.get(ENDPOINTS, 'default', 'kubernetes'), 'NotFound'));
  if (ep) await (ep.metadata.resourceVersion ? client.update(ENDPOINTS, 'default', ep) : client.create(ENDPOINTS, 'default', ep));
  for (const s of apiServerSlices(live)) await upsert(client, ENDPOINTSLICES, s);
}

/**
 * Every API server keeps an identity Lease (`kube-apiserver-<node>` in kube-system, renewed every
 * few seconds, with its advertise address) and writes the `kubernetes` Service's Endpoints and
 * EndpointSlice from the Leases still live, as upstream's lease endpoint reconciler does. It runs
 * on every node: each writes the same answer, so no election is needed.
 */
export function apiServerEndpointsPlugin(address: () => ApiServerAddress): Plugin {
  return {
    name: 'apiserver-endpoints',
    election: 'every-replica',
    user: 'system:apiserver',
    async run(ctx) {
      const self = address();
      while (!ctx.signal.aborted) {
        let wait = RENEW_MS;
        try {
          await reconcile(ctx.client, ctx.nodeName, self, ctx.clock.now());
        } catch (err) {
          if (ctx.signal.aborted) break;
          wait = RETRY_MS;
          if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) ctx.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'apiserver-endpoints: reconcile failed; retrying');
        }
        await pause(ctx.clock, wait, ctx.signal);
      }
    },
  };
}
