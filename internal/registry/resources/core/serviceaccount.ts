import type { ResourceDefinition, SubresourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { arr } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

export const serviceAccountStrategy = defineStrategy({ namespaced: true });

/** `token`: the TokenRequest subresource (registry/auth), when the server signs tokens. */
export function serviceAccountDefinition(token?: SubresourceDefinition): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'serviceaccounts'), {
    strategy: serviceAccountStrategy,
    cells: { Secrets: (sa) => arr(sa.secrets).length },
    ...(token ? { subresources: { token: { handler: token.handler } } } : {}),
  });
}
