import { canonicalIP, type FieldError, type KubeObject, fieldErrors, parseCidr } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { arr, get, isObj, str } from '../shared/object.js';
import { defineStrategy, statusStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

/** IPAddress names are the canonical form of the address they hold. */
const nameIsCanonicalIP = (name: string, prefix: boolean): string[] => {
  if (prefix) return ['generateName is not supported for IPAddress objects'];
  return canonicalIP(name) === name ? [] : ['must be a canonical format IP address'];
};

export const ipAddressStrategy = defineStrategy({
  namespaced: false,
  name: nameIsCanonicalIP,
  validate(ip) {
    const ref = get(ip, 'spec', 'parentRef');
    if (!isObj(ref)) return [fieldErrors.required('spec.parentRef', '')];
    const errs: FieldError[] = [];
    if (!str(ref.resource)) errs.push(fieldErrors.required('spec.parentRef.resource', ''));
    if (!str(ref.name)) errs.push(fieldErrors.required('spec.parentRef.name', ''));
    return errs;
  },
  validateUpdate: (ip, old) => immutable('spec.parentRef', get(ip, 'spec', 'parentRef'), get(old, 'spec', 'parentRef')),
});

function validateCidrs(sc: KubeObject): FieldError[] {
  const cidrs = arr(get(sc, 'spec', 'cidrs'));
  if (cidrs.length === 0) return [fieldErrors.required('spec.cidrs', '')];
  if (cidrs.length > 2) return [fieldErrors.invalid('spec.cidrs', cidrs, 'may only hold up to 2 values')];
  const errs: FieldError[] = [];
  const families = cidrs.map((c, i) => {
    const p = parseCidr(str(c));
    if (!p) errs.push(fieldErrors.invalid(`spec.cidrs[${i}]`, c, 'must be a valid CIDR value in canonical form, with no host bits set'));
    return p?.family;
  });
  if (cidrs.length === 2 && families[0] && families[0] === families[1]) {
    errs.push(fieldErrors.invalid('spec.cidrs', cidrs, 'may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64'));
  }
  return errs;
}

export const serviceCIDRStrategy = defineStrategy({
  namespaced: false,
  status: true,
  validate: validateCidrs,
  validateUpdate(sc, old) {
    const now = arr(get(sc, 'spec', 'cidrs'));
    const before = arr(get(old, 'spec', 'cidrs'));
    // Upstream lets a single-family ServiceCIDR gain the other family; nothing else changes.
    if (before.length === 1 && now.length === 2 && now[0] === before[0]) return [];
    return immutable('spec.cidrs', now, before);
  },
});

/** The printer's ParentRef cell: "services/default/kubernetes" (resource.group/namespace/name). */
function parentRef(ip: KubeObject): string {
  const r = get(ip, 'spec', 'parentRef');
  if (!isObj(r)) return '<none>';
  const gr = (str(r.group) ? `${str(r.resource)}.${str(r.group)}` : str(r.resource)).toLowerCase();
  return [gr, ...(str(r.namespace) ? [str(r.namespace)] : []), str(r.name)].join('/');
}

export function serviceNetworkDefinitions(): ResourceDefinition[] {
  const up = (plural: string) => upstream('networking.k8s.io', 'v1', plural);
  return [
    defineBuiltin(up('servicecidrs'), {
      strategy: serviceCIDRStrategy,
      cells: { CIDRs: (sc) => arr(get(sc, 'spec', 'cidrs')).map(str).join(',') },
      subresources: { status: { strategy: statusStrategy(serviceCIDRStrategy) } },
    }),
    defineBuiltin(up('ipaddresses'), { strategy: ipAddressStrategy, cells: { ParentRef: parentRef } }),
  ];
}
