import type { KubeObject } from '../../../internal/api/index.js';
import { WorkQueue, type ResourceRef } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, rfc3339, tolerate } from '../shared/plugin.js';
import { cleanDecision } from './clean.js';
import { signDecision } from './decide.js';
import type { CsrSigner } from './types.js';

export type { CsrSigner, ParsedRequest } from './types.js';

export const CSRS: ResourceRef = { group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests' };
/** upstream's ServiceAccount of the certificate controllers (system:controller:certificate-controller). */
const ACCOUNT = 'certificate-controller';

/** The signing controller's name and Lease; it needs the CA key, so a node without it leaves it out. */
export const CSR_SIGNING = 'csrsigning';

/** A queue of CSR names fed by the CSR informer (adds and updates). */
function csrQueue(ctx: PluginContext) {
  const csrs = ctx.informers.informer(CSRS);
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  csrs.addEventHandler({ onAdd: (c) => queue.add(c.metadata.name!), onUpdate: (_, c) => queue.add(c.metadata.name!) });
  return { csrs, queue };
}

/**
 * Signs approved CSRs of the kubernetes.io signers with the cluster CA (kube-controller-manager's
 * csrsigning). It runs only where the CA key is, under its own Lease: in a cluster only the first
 * node holds the key, so the Lease of the other controllers may be elsewhere.
 */
export function csrSigningPlugin(caSigner: () => CsrSigner): Plugin {
  const plugin = controller(CSR_SIGNING, ACCOUNT, async (ctx) => {
    const signer = caSigner();
    const { csrs, queue } = csrQueue(ctx);
    await reconcileQueue(ctx, queue, 1, async (name) => {
      const cached = csrs.lister.get(undefined, name);
      if (!cached) return;
      const d = signDecision(cached, (pem) => signer.parse(pem), ctx.clock.now());
      if (d.action === 'none') return;
      const status = { ...((cached.status as Record<string, unknown> | undefined) ?? {}) };
      if (d.action === 'fail') {
        const failed = { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: d.message, lastUpdateTime: rfc3339(ctx.clock.now()) };
        status.conditions = [...((status.conditions as unknown[] | undefined) ?? []), failed];
        ctx.log.info({ csr: name, reason: d.message }, 'refused a certificate signing request');
      } else {
        const pem = Buffer.from(String((cached.spec as { request?: string }).request), 'base64').toString('utf8');
        status.certificate = Buffer.from(signer.sign(pem, d)).toString('base64');
        ctx.log.info({ csr: name }, 'signed a certificate signing request');
      }
      // The update carries the cached resourceVersion: a CSR changed meanwhile is looked at again.
      await tolerate(() => ctx.client.update(CSRS, undefined, { ...cached, status } as KubeObject, { subresource: 'status' }), 'NotFound');
    });
  });
  return { ...plugin, lease: CSR_SIGNING };
}

/** Deletes CSRs past their time (kube-controller-manager's csrcleaner). */
export function csrCleanerPlugin(): Plugin {
  return controller('csrcleaner', ACCOUNT, async (ctx) => {
    const { csrs, queue } = csrQueue(ctx);
    await reconcileQueue(ctx, queue, 1, async (name) => {
      const cached = csrs.lister.get(undefined, name);
      if (!cached) return;
      const d = cleanDecision(cached, ctx.clock.now());
      if (d.action === 'wait') queue.addAfter(name, d.ms);
      if (d.action !== 'delete') return;
      const pre = { uid: cached.metadata.uid, resourceVersion: cached.metadata.resourceVersion };
      await tolerate(() => ctx.client.delete(CSRS, undefined, name, { preconditions: pre }), 'NotFound', 'Conflict');
      ctx.log.info({ csr: name, why: d.why }, 'deleted a certificate signing request');
    });
  });
}
