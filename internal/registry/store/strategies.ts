import type { KubeObject } from '../../api/index.js';
import type { ResourceStrategy } from '../strategy.js';
import { clone } from './util.js';

/**
 * The generic strategy of a "status" subresource: the new object is the old one with only
 * .status (and managedFields) taken from the request, as upstream's status strategies do. Main
 * validation of the whole object is skipped; metadata rules still run in the store.
 */
export function statusStrategy(main: ResourceStrategy): ResourceStrategy {
  return {
    ...main,
    prepareForUpdate(obj, old) {
      replaceAllBut(obj, old, (next, prev) => {
        if ('status' in prev) next.status = prev.status;
        else delete next.status;
      });
    },
    validateUpdate: () => [],
    warningsOnUpdate: undefined,
    // Status writes reserve nothing (a Service's addresses follow its spec).
    beginUpdate: undefined,
  };
}

/**
 * Makes obj a copy of old except what `keep` copies back from the request's object; managedFields
 * always come from the request (they record this write).
 */
export function replaceAllBut(obj: KubeObject, old: KubeObject, keep: (next: KubeObject, request: KubeObject) => void): void {
  const request = { ...obj, metadata: { ...obj.metadata } };
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, clone(old));
  if (request.metadata.managedFields) obj.metadata.managedFields = request.metadata.managedFields;
  keep(obj, request);
}
