// internal/apiserver: the fastify app serving the Kubernetes API: authentication, routing from the
// resource catalog, content negotiation, discovery, Table output, watch streaming, health and
// version endpoints, metav1.Status errors. Imports internal/registry, internal/api and
// internal/util only. OpenAPI documents are mounted through ApiServerOptions.openapi.
export { createApiServer, listen, type ApiServer, type ApiServerLimits, type ApiServerOptions } from './server.js';
export {
  ANONYMOUS,
  AUTHENTICATED_GROUP,
  UNAUTHENTICATED_GROUP,
  bearerToken,
  isPublicPath,
  requestAuthenticator,
  tlsServerOptions,
  x509Authenticator,
  type Authenticator,
  type TokenAuthenticator,
  type TlsMaterial,
} from './auth.js';
export { parseTokenFile, tokenFileAuthenticator } from './token-file.js';
export { impersonate } from './impersonation.js';
export { auditedHandler, parsePolicy, RotatingFile, type Auditor, type AuditPolicy } from './audit/index.js';
export type { HealthCheck, VersionInfo } from './health.js';
export { humanDuration } from './table.js';
export { createOpenApiService, registerOpenApiRoutes, type OpenApiService } from './openapi/index.js';
