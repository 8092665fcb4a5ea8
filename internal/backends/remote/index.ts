export { RemoteBackend, type RemoteBackendOptions } from './remote-backend.js';
export type { AdmitRequest } from './protocol.js';
export { serveBackend, type BackendServiceOptions } from './remote-server.js';
export { BACKEND_PATH, dialBackend, memoryChannelPair, registerBackendService, wsChannel, type RpcChannel } from './channel.js';
