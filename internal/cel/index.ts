// CEL (the Common Expression Language) as Kubernetes uses it: compile with cel-go's error layout,
// evaluate with a cost meter, estimate worst-case cost statically, convert JSON to CEL values.
// Evaluator: @bufbuild/cel, loaded on first use.
export { compile, errorAt, type CompileResult, type Program } from './compile.js';
export { estimateCost, MAX_REQUEST_BYTES, type Shape } from './cost.js';
export { COST_EXCEEDED, type Meter } from './library.js';
export { celMapOf, toCel, type NumberHint } from './value.js';
export type { CelValue } from '@bufbuild/cel';
export { AUTHZ_CHECK_COST, AUTHZ_PENDING, AuthzSession, authorizerValue, type AuthzCheck, type AuthzDecision } from './authz.js';
export { undefinedFields, type FieldSchema } from './fields.js';
