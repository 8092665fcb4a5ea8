// internal/api: Kubernetes wire types, Status errors, field errors, selectors and codecs.
// Imports only internal/util.
export * from './types.js';
export * from './quantity.js';
export * from './ip.js';
export * from './versions.js';
export * from './node-selector.js';
export * from './field-error.js';
export * from './errors.js';
export * from './patch/index.js';
export * from './selectors/index.js';
export * from './validation/index.js';
export * from './openapi/index.js';
export * from './fieldmanager/index.js';
export * from './codec/index.js';
