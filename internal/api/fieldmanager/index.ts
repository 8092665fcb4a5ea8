// internal/api/fieldmanager: server-side apply and managedFields (FieldsV1) tracking, pure.
export { FieldSet, pathString } from './fieldset.js';
export { fieldsOf, mergeApplied } from './walk.js';
export { applyConfig, trackUpdate, managerName, lastAppliedFields, type ApplyInput, type WriteContext } from './manager.js';
