import { realClock } from '../util/index.js';
import { createCatalog, type MutableCatalog } from './catalog.js';
import { CrdController, crdDefinition } from './crd/index.js';
import type { ResourceDefinition } from './definition.js';
import { createHandler, type HandlerOptions, type RegistryHandler } from './handler.js';

export interface RegistryOptions extends Omit<HandlerOptions, 'catalog' | 'onWrite'> {
  /** The built-in definitions (internal/registry/resources builtinDefinitions()). */
  definitions: ResourceDefinition[];
  log?: (msg: string, err?: unknown) => void;
}

export interface Registry {
  catalog: MutableCatalog;
  handler: RegistryHandler;
  crds: CrdController;
  /** Runs the CRD controller until the signal aborts (call once per process). */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * The registry assembled: catalog (built-ins + CustomResourceDefinition), the handler, and the
 * CRD controller. CRD writes through this handler update the catalog before the reply, so
 * `kubectl apply -f crd.yaml` followed by creating a custom resource works at once; the
 * controller's watch covers writes made through other replicas.
 */
export function createRegistry(opts: RegistryOptions): Registry {
  const { definitions, log, ...handlerOpts } = opts;
  const catalog = createCatalog([...definitions, crdDefinition]);
  let crds: CrdController | undefined;
  const handler = createHandler({
    ...handlerOpts,
    catalog,
    onWrite: (def, object, deleted) => {
      if (def.group === crdDefinition.group && def.plural === crdDefinition.plural) crds?.sync(object, deleted);
    },
  });
  crds = new CrdController({ catalog, handler, clock: opts.clock ?? realClock, log });
  const controller = crds;
  return { catalog, handler, crds: controller, run: (signal) => controller.run(signal) };
}
