import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { arr, objs, setDefault, str } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_SHOWN = 3;

function validate(slice: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!ADDRESS_TYPES.includes(str(slice.addressType))) errs.push(fieldErrors.notSupported('addressType', slice.addressType ?? '', ADDRESS_TYPES));
  objs(slice.endpoints).forEach((e, i) => {
    const n = arr(e.addresses).length;
    if (n === 0) errs.push(fieldErrors.required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
    if (n > 100) errs.push({ type: 'FieldValueTooMany', field: `endpoints[${i}].addresses`, detail: 'must have at most 100 items' });
  });
  objs(slice.ports).forEach((p, i) => {
    if (p.port !== undefined && !(typeof p.port === 'number' && p.port >= 1 && p.port <= 65535)) {
      errs.push(fieldErrors.invalid(`ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive'));
    }
  });
  return errs;
}

export const endpointSliceStrategy = defineStrategy({
  namespaced: true,
  generation: true,
  defaults: (slice) => {
    for (const p of objs(slice.ports)) setDefault(p, 'protocol', 'TCP');
  },
  validate,
  validateUpdate: (s, old) => immutable('addressType', s.addressType, old.addressType),
});

function ports(slice: KubeObject): string {
  const list = objs(slice.ports);
  if (list.length === 0) return '<unset>';
  return list.map((p) => (p.port === undefined ? '<unset>' : String(p.port))).join(',');
}

function endpoints(slice: KubeObject): string {
  const all = objs(slice.endpoints).flatMap((e) => arr(e.addresses).map(str));
  if (all.length === 0) return '<unset>';
  const text = all.slice(0, MAX_SHOWN).join(',');
  return all.length > MAX_SHOWN ? `${text} + ${all.length - MAX_SHOWN} more...` : text;
}

export function discoveryDefinitions(): ResourceDefinition[] {
  return [
    defineBuiltin(upstream('discovery.k8s.io', 'v1', 'endpointslices'), {
      strategy: endpointSliceStrategy,
      cells: { AddressType: (s) => str(s.addressType), Ports: ports, Endpoints: endpoints },
    }),
  ];
}
