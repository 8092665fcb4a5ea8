import type { ResourceDefinition } from '../../../definition.js';
import { defineBuiltin } from '../../shared/define.js';
import { upstream } from '../../upstream/index.js';
import { podBindingHandler, podEvictionHandler } from '../../../subresources.js';
import { podCells } from './columns.js';
import type { PodTolerationSeconds } from './defaults.js';
import { podStrategies } from './strategy.js';

export function podDefinition(tolerationSeconds?: PodTolerationSeconds): ResourceDefinition {
  const strategies = podStrategies(tolerationSeconds);
  return defineBuiltin(upstream('', 'v1', 'pods'), {
    strategy: strategies.main,
    returnDeletedObject: true,
    cells: podCells,
    subresources: {
      status: { strategy: strategies.status },
      ephemeralcontainers: { strategy: strategies.ephemeralContainers },
      resize: { strategy: strategies.resize },
      binding: { handler: podBindingHandler },
      eviction: { handler: podEvictionHandler },
    },
  });
}
