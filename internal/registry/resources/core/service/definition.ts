import type { ResourceDefinition } from '../../../definition.js';
import { defineBuiltin } from '../../shared/define.js';
import { upstream } from '../../upstream/index.js';
import type { ServiceAllocator } from './allocator.js';
import { serviceCells } from './columns.js';
import { createServiceStrategy, serviceStatusStrategy } from './strategy.js';

export function serviceDefinition(allocator: ServiceAllocator): ResourceDefinition {
  const strategy = createServiceStrategy(allocator);
  return defineBuiltin(upstream('', 'v1', 'services'), {
    strategy,
    returnDeletedObject: true,
    cells: serviceCells,
    subresources: { status: { strategy: serviceStatusStrategy(strategy) } },
  });
}
