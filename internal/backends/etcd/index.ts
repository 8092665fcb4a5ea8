// internal/backends/etcd: the Backend on an external etcd v3 cluster over gRPC (Node's http2, etcd's
// messages coded by hand after the vendored .proto files in third_party/etcd). Imports internal/storage and internal/util only.
export { createEtcdBackend, COMPACT_REV_KEY, type EtcdBackend, type EtcdBackendOptions } from './etcd-backend.js';
export type { EtcdTls } from './connection.js';
