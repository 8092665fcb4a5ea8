// internal/apiserver/openapi: /openapi/v2 and /openapi/v3 from upstream's vendored documents plus
// generated documents for custom resources.
export * from './service.js';
export * from './routes.js';
export { schemaName } from './custom-docs.js';
