export { RemoteBackend, type RemoteBackendOptions } from './remote-backend.js';
export { serveBackend, type BackendServiceOptions } from './remote-server.js';
export { BACKEND_PATH, CLUSTER_ID_HEADER as BACKEND_CLUSTER_ID_HEADER, dialBackend, memoryChannelPair, registerBackendService, wsChannel, type RpcChannel } from './channel.js';
