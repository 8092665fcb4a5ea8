import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { loadBalancerIngress } from '../core/service/columns.js';
import { defineBuiltin } from '../shared/define.js';
import { arr, get, isObj, objs, str, type Obj } from '../shared/object.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { isDNS1123Subdomain } from '../shared/validation.js';
import { upstream } from '../upstream/index.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const MAX_HOSTS = 4;

function validateBackend(b: unknown, field: string): FieldError[] {
  if (!isObj(b)) return [fieldErrors.required(field, '')];
  const svc = b.service;
  if (isObj(svc) && isObj(b.resource)) return [fieldErrors.invalid(field, '', 'cannot set both resource and service backends')];
  if (isObj(b.resource)) return [];
  if (!isObj(svc)) return [fieldErrors.required(`${field}.service`, '')];
  const errs: FieldError[] = [];
  if (!str(svc.name)) errs.push(fieldErrors.required(`${field}.service.name`, ''));
  const port = isObj(svc.port) ? svc.port : {};
  if (port.number !== undefined && port.name !== undefined) errs.push(fieldErrors.invalid(`${field}.service.port`, port, 'cannot set both port name & port number'));
  else if (port.number === undefined && !str(port.name)) errs.push(fieldErrors.required(`${field}.service.port.name`, 'port name or number is required'));
  return errs;
}

function validate(ing: KubeObject): FieldError[] {
  const spec = isObj(ing.spec) ? ing.spec : {};
  const errs: FieldError[] = [];
  if (spec.defaultBackend !== undefined) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  const rules = objs(spec.rules);
  if (rules.length === 0 && spec.defaultBackend === undefined) errs.push(fieldErrors.invalid('spec', spec, 'either `defaultBackend` or `rules` must be specified'));
  rules.forEach((r, i) => {
    const host = str(r.host);
    if (host) for (const m of isDNS1123Subdomain(host.replace(/^\*\./, ''))) errs.push(fieldErrors.invalid(`spec.rules[${i}].host`, host, m));
    objs(get(r, 'http', 'paths')).forEach((p, j) => {
      const at = `spec.rules[${i}].http.paths[${j}]`;
      if (!PATH_TYPES.includes(str(p.pathType))) errs.push(p.pathType === undefined ? fieldErrors.required(`${at}.pathType`, 'pathType must be specified') : fieldErrors.notSupported(`${at}.pathType`, p.pathType, PATH_TYPES));
      if (p.pathType !== 'ImplementationSpecific' && !str(p.path).startsWith('/')) errs.push(fieldErrors.invalid(`${at}.path`, p.path ?? '', "must be an absolute path"));
      errs.push(...validateBackend(p.backend, `${at}.backend`));
    });
  });
  return errs;
}

export const ingressStrategy = defineStrategy({ namespaced: true, status: true, generation: true, validate });

function hosts(ing: KubeObject): string {
  const rules = objs(get(ing, 'spec', 'rules'));
  const list: string[] = [];
  let more = false;
  for (const r of rules as Obj[]) {
    // As the upstream printer: "more" once four hosts are listed and another rule follows.
    if (list.length === MAX_HOSTS) more = true;
    if (!more && str(r.host)) list.push(str(r.host));
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - MAX_HOSTS} more...` : list.join(',');
}

export function ingressDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('networking.k8s.io', 'v1', 'ingresses'), {
    strategy: ingressStrategy,
    cells: {
      Class: (ing) => str(get(ing, 'spec', 'ingressClassName')) || '<none>',
      Hosts: hosts,
      Address: (ing) => loadBalancerIngress(get(ing, 'status', 'loadBalancer')),
      Ports: (ing) => (arr(get(ing, 'spec', 'tls')).length > 0 ? '80, 443' : '80'),
    },
    subresources: { status: { strategy: subresourceStrategy(ingressStrategy) } },
  });
}
