import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { arr } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

export const serviceAccountStrategy = defineStrategy({ namespaced: true });

export function serviceAccountDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'serviceaccounts'), {
    strategy: serviceAccountStrategy,
    cells: { Secrets: (sa) => arr(sa.secrets).length },
  });
}
