import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { get, isObj, objs, str } from '../shared/object.js';
import { defineStrategy, statusStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

// apiregistration.k8s.io/v1 APIService: stored and served (clients register and read them); kplane
// does not proxy to aggregated API servers, so the objects stay as written.

function validate(s: KubeObject): FieldError[] {
  const spec = isObj(s.spec) ? s.spec : {};
  const errs: FieldError[] = [];
  const version = str(spec.version);
  const group = str(spec.group);
  if (!version) errs.push(fieldErrors.required('spec.version', ''));
  if (version && (s.metadata.name ?? '') !== `${version}.${group}`) {
    errs.push(fieldErrors.invalid('metadata.name', s.metadata.name, `must be ${version}.${group}`));
  }
  const gpm = spec.groupPriorityMinimum;
  if (typeof gpm !== 'number' || gpm <= 0 || gpm > 20000) errs.push(fieldErrors.invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority;
  if (typeof vp !== 'number' || vp <= 0 || vp > 1000) errs.push(fieldErrors.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  if (isObj(spec.service)) {
    if (!str(spec.service.namespace)) errs.push(fieldErrors.required('spec.service.namespace', ''));
    if (!str(spec.service.name)) errs.push(fieldErrors.required('spec.service.name', ''));
  }
  return errs;
}

export const apiServiceStrategy = defineStrategy({
  namespaced: false,
  status: true,
  defaults(s) {
    const svc = get(s, 'spec', 'service');
    if (isObj(svc) && svc.port === undefined) svc.port = 443;
  },
  validate,
});

/** Printer cells: "Local" for an APIService without a service; Available from the condition. */
function available(s: KubeObject): string {
  const c = objs(get(s, 'status', 'conditions')).find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  return c.status === 'True' ? 'True' : `${str(c.status)} (${str(c.reason)})`;
}

export function apiregistrationDefinitions(): ResourceDefinition[] {
  return [
    defineBuiltin(upstream('apiregistration.k8s.io', 'v1', 'apiservices'), {
      strategy: apiServiceStrategy,
      cells: {
        Service: (s) => {
          const svc = get(s, 'spec', 'service');
          return isObj(svc) ? `${str(svc.namespace)}/${str(svc.name)}` : 'Local';
        },
        Available: available,
      },
      subresources: { status: { strategy: statusStrategy(apiServiceStrategy) } },
    }),
  ];
}
