// internal/leaderelection: LeaseElector (client-go's leader election on coordination.k8s.io/v1
// Leases, plus informer-fed observation) and the lease timings. Imports internal/client, api, util.
export * from './elector.js';
