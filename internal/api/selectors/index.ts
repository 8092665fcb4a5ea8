// internal/api/selectors: label and field selector parsing and matching, and the list/watch
// predicate built from them. Pure; imports only sibling api modules.
export * from './selector-error.js';
export type { LabelTokenKind, LabelToken } from './label-lexer.js';
export { type LabelOperator, type LabelRequirement, type Labels, requirementMatches, requirementString } from './label-requirement.js';
export * from './label-selector.js';
export * from './label-selector-object.js';
export * from './field-selector.js';
export * from './predicate.js';
