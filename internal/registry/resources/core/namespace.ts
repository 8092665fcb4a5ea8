import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { arr, child, get, str } from '../shared/object.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { isQualifiedName, nameIsDNSLabel } from '../shared/validation.js';
import { upstream } from '../upstream/index.js';

const NAME_LABEL = 'kubernetes.io/metadata.name';

function defaults(ns: KubeObject): void {
  // The name label is immutable and always equals the name (namespace strategy, 1.21+).
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAME_LABEL]: ns.metadata.name ?? '' };
  const status = child(ns, 'status');
  if (!status.phase) status.phase = 'Active';
}

function validateFinalizers(ns: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  arr(get(ns, 'spec', 'finalizers')).forEach((f, i) => {
    for (const m of isQualifiedName(str(f))) errs.push(fieldErrors.invalid(`spec.finalizers[${i}]`, f, m));
  });
  return errs;
}

export const namespaceStrategy = defineStrategy({
  namespaced: false,
  name: nameIsDNSLabel,
  status: true,
  defaults,
  onCreate(ns) {
    const spec = child(ns, 'spec');
    const finalizers = arr(spec.finalizers).map(str);
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
    ns.status = { phase: 'Active' };
  },
  onUpdate(ns, old) {
    // spec.finalizers change only through /finalize.
    const oldFinalizers = get(old, 'spec', 'finalizers');
    if (oldFinalizers === undefined) delete child(ns, 'spec').finalizers;
    else child(ns, 'spec').finalizers = oldFinalizers;
  },
  validate: validateFinalizers,
  selectableFields: (ns) => ({ 'status.phase': str(get(ns, 'status', 'phase')) }),
});

/** DELETE marks the namespace Terminating; it stays while spec.finalizers is not empty. */
const namespaceDeleteStrategy = {
  ...namespaceStrategy,
  prepareForDelete(ns: KubeObject): boolean {
    child(ns, 'status').phase = 'Terminating';
    return arr(get(ns, 'spec', 'finalizers')).length > 0;
  },
};

const finalizeStrategy = subresourceStrategy(namespaceStrategy, {
  writable: [],
  afterKeep(ns, _old, incoming) {
    child(ns, 'spec').finalizers = get(incoming, 'spec', 'finalizers') ?? [];
  },
  validate: (ns) => validateFinalizers(ns),
});

export function namespaceDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'namespaces'), {
    strategy: namespaceDeleteStrategy,
    cells: { Status: (ns) => str(get(ns, 'status', 'phase')) },
    subresources: {
      status: { strategy: subresourceStrategy(namespaceStrategy) },
      finalize: { strategy: finalizeStrategy },
    },
  });
}
