import { fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { str } from '../shared/object.js';
import { isDNS1123Label } from '../shared/validation.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

/** node.k8s.io/v1 RuntimeClass: a DNS-label handler that never changes. */
export const runtimeClassStrategy = defineStrategy({
  namespaced: false,
  validate(rc) {
    const handler = str(rc.handler);
    if (!handler) return [fieldErrors.required('handler', '')];
    return isDNS1123Label(handler).map((m) => fieldErrors.invalid('handler', handler, m));
  },
  validateUpdate: (rc, old) => immutable('handler', rc.handler, old.handler),
});

export function nodeDefinitions(): ResourceDefinition[] {
  return [defineBuiltin(upstream('node.k8s.io', 'v1', 'runtimeclasses'), { strategy: runtimeClassStrategy, cells: { Handler: (rc) => str(rc.handler) } })];
}
