import { createCatalog, type MutableCatalog } from './catalog.js';
import { CrdController, crdDefinition } from './crd/index.js';
import type { ResourceDefinition } from './definition.js';
import { createHandler, type HandlerOptions, type RegistryHandler } from './handler.js';

export interface RegistryOptions extends Omit<HandlerOptions, 'catalog' | 'onWrite'> {
  /** The built-in definitions (internal/registry/resources builtinDefinitions()). */
  definitions: ResourceDefinition[];
}

export interface Registry {
  catalog: MutableCatalog;
  handler: RegistryHandler;
  /** The catalog's CRD sync; the `crd` plugin feeds it from an informer (internal/app). */
  crds: CrdController;
}

/**
 * The registry assembled: catalog (built-ins + CustomResourceDefinition), the handler, and the
 * CRD catalog sync. CRD writes through this handler update the catalog before the reply, so
 * `kubectl apply -f crd.yaml` followed by creating a custom resource works at once; the `crd`
 * plugin's informer covers writes made through other replicas.
 */
export function createRegistry(opts: RegistryOptions): Registry {
  const { definitions, ...handlerOpts } = opts;
  const catalog = createCatalog([...definitions, crdDefinition]);
  let crds: CrdController | undefined;
  const handler = createHandler({
    ...handlerOpts,
    catalog,
    onWrite: (def, object, deleted) => {
      if (def.group === crdDefinition.group && def.plural === crdDefinition.plural) crds?.sync(object, deleted);
    },
  });
  crds = new CrdController({ catalog });
  return { catalog, handler, crds };
}
