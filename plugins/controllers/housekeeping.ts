import type { Plugin } from '../../internal/plugin/index.js';
import { apiServerEndpointsPlugin } from './endpoints/apiserver-plugin.js';
import type { ApiServerAddress } from './endpoints/apiservers.js';
import { csrCleanerPlugin, csrSigningPlugin, type CsrSigner } from './certificates/index.js';
import { endpointsPlugin } from './endpoints/index.js';
import { endpointSlicePlugin } from './endpointslice/index.js';
import { endpointSliceMirroringPlugin } from './endpointslice/mirroring.js';
import { garbageCollectorPlugin } from './garbagecollector/index.js';
import { namespacePlugin } from './namespace/index.js';
import { persistentVolumeBinderPlugin } from './persistentvolume/index.js';
import { podGcPlugin, type PodGcOptions } from './podgc/index.js';
import { rootCaCertPlugin } from './rootcacert/index.js';
import { serviceAccountPlugin } from './serviceaccount/index.js';
import { legacyTokenPlugin, type LegacyTokenSigner } from './serviceaccount/legacy-token.js';
import { serviceCIDRsPlugin } from './servicecidrs/index.js';
import type { ServedResources } from './shared/served.js';
import { tokenCleanerPlugin } from './tokencleaner/index.js';
import { ttlAfterFinishedPlugin } from './ttlafterfinished/index.js';

export type { ServedResources } from './shared/served.js';
export type { ServedResource } from './shared/resources.js';
export type { ApiServerAddress } from './endpoints/apiservers.js';
export { CONTROLLER_LEASE } from './shared/plugin.js';
export { CSR_SIGNING, type CsrSigner, type ParsedRequest } from './certificates/index.js';

export interface HousekeepingOptions {
  /** The served resources (the registry's catalog, CRDs included). */
  resources: ServedResources;
  /** The cluster CA certificate (PEM) published as kube-root-ca.crt (read when the plugin starts). */
  caPem: () => string;
  /** This node's API address as the `kubernetes` Service's endpoints list it (read when the plugin starts). */
  apiServer: () => ApiServerAddress;
  podGc?: PodGcOptions;
  /** Signs legacy Secret-based ServiceAccount tokens (the tokens controller runs only with it). */
  legacyToken?: LegacyTokenSigner;
  /** Signs approved CSRs with the cluster CA (read when the plugin starts; the composition root leaves the plugin out where the CA key is not). */
  csrSigner?: () => CsrSigner;
}

/**
 * The controllers that keep a cluster tidy: namespace deletion, garbage collection, service
 * accounts (and the legacy token Secrets users ask for), the root CA ConfigMap, Endpoints and EndpointSlices (and their mirroring), pod GC,
 * ttl-after-finished, expired bootstrap tokens, CSR signing and cleaning, PersistentVolume binding and ServiceCIDRs, all elected under one Lease; plus the every-node `kubernetes` endpoints.
 */
export function housekeepingPlugins(opts: HousekeepingOptions): Plugin[] {
  return [
    namespacePlugin(opts.resources),
    garbageCollectorPlugin(opts.resources),
    serviceAccountPlugin(),
    ...(opts.legacyToken ? [legacyTokenPlugin({ caPem: opts.caPem, sign: opts.legacyToken })] : []),
    rootCaCertPlugin(opts.caPem),
    endpointsPlugin(),
    endpointSlicePlugin(),
    endpointSliceMirroringPlugin(),
    podGcPlugin(opts.podGc),
    ttlAfterFinishedPlugin(),
    tokenCleanerPlugin(),
    ...(opts.csrSigner ? [csrSigningPlugin(opts.csrSigner)] : []),
    csrCleanerPlugin(),
    persistentVolumeBinderPlugin(),
    serviceCIDRsPlugin(),
    apiServerEndpointsPlugin(opts.apiServer),
  ];
}
