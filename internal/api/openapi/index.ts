// internal/api/openapi: schemas of built-in kinds (from upstream's vendored OpenAPI documents) and
// of custom resources, as navigable Schema objects for patching and field validation.
export * from './schema.js';
export * from './builtin.js';
export * from './unknown-fields.js';
export * from './type-errors.js';
