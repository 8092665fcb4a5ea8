// internal/util: helpers with no domain knowledge. Imports nothing from internal/.
export * from './clock.js';
export * from './errors.js';
export * from './deferred.js';
export * from './rand.js';
export * from './package-root.js';
export * from './lazy-module.js';
export * from './fsync.js';
export * from './json-clone.js';
export * from './json-equal.js';
export * from './duration.js';
export * from './batched.js';
