// internal/api/validation: name, label and ObjectMeta checks with upstream's messages.
// Pure; returns FieldError[] or string[] and never throws.
export * from './names.js';
export * from './name-rules.js';
export * from './generate-name.js';
export * from './object-meta.js';
