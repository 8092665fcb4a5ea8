import type { KubeObject } from '../../../api/index.js';
import { fieldErrors, parseApiVersion } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

export const controllerRevisionStrategy = defineStrategy({
  namespaced: true,
  validate: (cr) => {
    const rev = cr.revision;
    return typeof rev === 'number' && Number.isInteger(rev) && rev >= 0 ? [] : [fieldErrors.invalid('revision', rev ?? 0, 'must be greater than or equal to 0')];
  },
  validateUpdate: (cr, old) => immutable('data', cr.data, old.data),
});

/** "daemonset.apps/fluentd" from the controller owner reference, or "<none>". */
function controller(cr: KubeObject): string {
  const ref = (cr.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const { group } = parseApiVersion(ref.apiVersion);
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export function controllerRevisionDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('apps', 'v1', 'controllerrevisions'), {
    strategy: controllerRevisionStrategy,
    cells: { Controller: controller, Revision: (cr) => (typeof cr.revision === 'number' ? cr.revision : 0) },
  });
}
