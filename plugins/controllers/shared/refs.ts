import type { ResourceRef } from '../../../internal/client/index.js';

const core = (resource: string): ResourceRef => ({ group: '', version: 'v1', resource });

export const NAMESPACES = core('namespaces');
export const PODS = core('pods');
export const NODES = core('nodes');
export const SERVICES = core('services');
export const ENDPOINTS = core('endpoints');
export const SERVICEACCOUNTS = core('serviceaccounts');
export const CONFIGMAPS = core('configmaps');
export const SECRETS = core('secrets');
export const ENDPOINTSLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' };
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', resource: 'jobs' };
export const SERVICECIDRS: ResourceRef = { group: 'networking.k8s.io', version: 'v1', resource: 'servicecidrs' };
export const IPADDRESSES: ResourceRef = { group: 'networking.k8s.io', version: 'v1', resource: 'ipaddresses' };
