import type { ResourceDefinition } from '../../../definition.js';
import { defineBuiltin } from '../../shared/define.js';
import { upstream } from '../../upstream/index.js';
import { podBindingHandler, podEvictionHandler } from '../../../subresources.js';
import { podCells } from './columns.js';
import { podEphemeralContainersStrategy, podResizeStrategy, podStatusStrategy, podStrategy } from './strategy.js';

export function podDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'pods'), {
    strategy: podStrategy,
    returnDeletedObject: true,
    cells: podCells,
    subresources: {
      status: { strategy: podStatusStrategy },
      ephemeralcontainers: { strategy: podEphemeralContainersStrategy },
      resize: { strategy: podResizeStrategy },
      binding: { handler: podBindingHandler },
      eviction: { handler: podEvictionHandler },
    },
  });
}
