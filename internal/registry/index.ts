// internal/registry: the generic Store, per-resource definitions and strategies, the verb pipeline
// (authorization, admission, defaulting, validation) shared by HTTP and the in-process client.
// Imports internal/storage, internal/api and internal/util only.
export * from './strategy.js';
export { addAuditAnnotation } from './audit-annotations.js';
export * from './definition.js';
export * from './request.js';
export * from './catalog.js';
export type { ResourceStore, StoreContext, WriteOutcome, DeleteOutcome } from './store/types.js';
export { createHandler, systemContext, deletedStatus, type HandlerOptions, type RegistryHandler } from './handler.js';
export { mastersOnlyAuthorizer, allowAllAuthorizer, forbiddenError } from './authorizer.js';
export { namespaceLifecycle, runAdmission, IMMORTAL_NAMESPACES, type AdmissionPlugin, type AdmissionAttributes, type AdmissionOperation } from './admission.js';
export { statusStrategy, replaceAllBut } from './store/strategies.js';
export { objectKey, collectionPrefix, resourcePrefix } from './store/keys.js';
export { itemJson } from './store/item-json.js';
export { toApiError, invalidError, FENCED_WRITE_REFUSED } from './store/errors.js';
export { serveSubresource, toScale, podBindingHandler, podEvictionHandler, DEFAULT_SCALE_PATHS } from './subresources.js';
export { parseJsonPath, evaluateJsonPath, getPath, setPath, JsonPathError } from './jsonpath.js';
export { createRegistry, type Registry, type RegistryOptions } from './registry.js';
export { crdDefinition, crdToDefinitions, CrdController, validateBySchema, prune, applyDefaults, printerColumns, CRD_CLEANUP_FINALIZER } from './crd/index.js';
export * from './auth/index.js';
export { builtinAdmission, applyLimitRanges, podSecurityViolations, usageOf, quotaStatus } from './admission/index.js';
export {
  builtinDefinitions, createServiceAllocator, componentStatusDefinition, COMPONENT_STATUS_DEPRECATION, SYSTEM_PRIORITY_CLASSES, type ComponentHealth, type ComponentProbe, memoryReservations, DEFAULT_SERVICE_CIDR, serviceHoldings, planRepair,
  type BuiltinOptions, type ServiceAllocator, type ReservationStore, type Owner, type RepairPlan, type ReservationRecord, type PodTolerationSeconds,
} from './resources/index.js';
