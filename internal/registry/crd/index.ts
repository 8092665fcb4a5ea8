// CustomResourceDefinitions: the CRD resource itself, custom resource definitions derived from it,
// structural-schema pruning/defaulting/validation, and the controller that keeps the catalog live.
export { crdDefinition, crdStrategy, validateCrd } from './crd-definition.js';
export { crdToDefinitions, printerColumns } from './custom-resources.js';
export { CrdController, type CrdControllerOptions } from './controller.js';
export { prune, type Schema as StructuralSchema } from './prune.js';
export { validateBySchema, applyDefaults } from './schema-validate.js';
export { CRD_CLEANUP_FINALIZER } from './types.js';
