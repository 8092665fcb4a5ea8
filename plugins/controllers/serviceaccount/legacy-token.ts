import { WorkQueue, splitKey } from '../../../internal/client/index.js';
import type { Plugin } from '../../../internal/plugin/index.js';
import { CONTROLLER_LEASE, reconcileQueue, tolerate } from '../shared/plugin.js';
import { SECRETS, SERVICEACCOUNTS } from '../shared/refs.js';
import { filledSecret, legacyTokenAction, SA_NAME_ANNOTATION, SA_TOKEN_TYPE } from './legacy-token-decide.js';

/** Signs a legacy Secret-based token (the API server's ServiceAccount key). */
export type LegacyTokenSigner = (claims: { namespace: string; secretName: string; serviceAccount: { name: string; uid: string } }) => Promise<string>;

/**
 * upstream's tokens controller (serviceaccount-token), as kube-controller-manager itself: fills the
 * Secrets of type kubernetes.io/service-account-token that users create (token, ca.crt, namespace),
 * and deletes them when their ServiceAccount is deleted.
 */
export function legacyTokenPlugin(opts: { caPem: () => string; sign: LegacyTokenSigner }): Plugin {
  return {
    name: 'serviceaccount-token',
    election: 'leader',
    lease: CONTROLLER_LEASE,
    user: 'system:kube-controller-manager',
    async run(ctx) {
      const caPem = opts.caPem();
      const secrets = ctx.informers.informer(SECRETS);
      const accounts = ctx.informers.informer(SERVICEACCOUNTS);
      const queue = new WorkQueue<string>({ clock: ctx.clock });
      const key = (s: { type?: unknown; metadata: { namespace?: string; name?: string } }) => {
        if (s.type === SA_TOKEN_TYPE) queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
      };
      secrets.addEventHandler({ onAdd: key, onUpdate: (_, s) => key(s) });
      const referencing = (sa: { metadata: { namespace?: string; name?: string } }) => {
        for (const s of secrets.lister.list(sa.metadata.namespace)) if (s.metadata.annotations?.[SA_NAME_ANNOTATION] === sa.metadata.name) key(s);
      };
      accounts.addEventHandler({ onAdd: referencing, onDelete: referencing });
      await reconcileQueue(ctx, queue, 2, async (k) => {
        const { namespace, name } = splitKey(k);
        const secret = secrets.lister.get(namespace, name);
        if (!secret) return;
        const saName = secret.metadata.annotations?.[SA_NAME_ANNOTATION] ?? '';
        // A cache miss is checked live: the account may be newer than the cache.
        const sa = accounts.lister.get(namespace, saName) ?? (await tolerate(() => ctx.client.get(SERVICEACCOUNTS, namespace, saName), 'NotFound'));
        const a = legacyTokenAction(secret, sa, caPem);
        if (a.action === 'delete') {
          await tolerate(() => ctx.client.delete(SECRETS, namespace, name, { preconditions: { uid: secret.metadata.uid } }), 'NotFound', 'Conflict');
          return;
        }
        if (a.action !== 'fill' || !sa) return;
        const token = a.needsToken ? await opts.sign({ namespace: namespace!, secretName: name, serviceAccount: { name: saName, uid: sa.metadata.uid! } }) : undefined;
        // A Conflict (the Secret changed since the cache saw it) is retried on the newer one.
        await tolerate(() => ctx.client.update(SECRETS, namespace, filledSecret(secret, sa, caPem, token)), 'NotFound');
      });
    },
  };
}
