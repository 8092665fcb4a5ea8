import { type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { arr, child, get, isObj, objs, setDefault, str } from '../shared/object.js';
import { formatLabelSelector, validateLabelSelector } from '../shared/selectors.js';
import { defineStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';
import { ingressDefinition } from './ingress.js';
import { serviceNetworkDefinitions } from './service-cidr.js';

export const ingressClassStrategy = defineStrategy({
  namespaced: false,
  generation: true,
  validate: (ic) => (str(get(ic, 'spec', 'controller')) ? [] : [fieldErrors.required('spec.controller', '')]),
  validateUpdate: (ic, old) => immutable('spec.controller', get(ic, 'spec', 'controller'), get(old, 'spec', 'controller')),
});

function ingressClassParameters(ic: KubeObject): string {
  const p = get(ic, 'spec', 'parameters');
  if (!isObj(p)) return '<none>';
  const group = str(p.apiGroup);
  return `${str(p.kind)}${group ? `.${group}` : ''}/${str(p.name)}`;
}

/** SetDefaults_NetworkPolicy: policyTypes from the rules present; TCP ports. */
function defaultNetworkPolicy(np: KubeObject): void {
  const spec = child(np, 'spec');
  setDefault(spec, 'podSelector', {});
  if (arr(spec.policyTypes).length === 0) spec.policyTypes = arr(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  for (const dir of ['ingress', 'egress']) for (const rule of objs(spec[dir])) for (const p of objs(rule.ports)) setDefault(p, 'protocol', 'TCP');
}

// NetworkPolicy has had no status since Kubernetes 1.28 (the field and subresource were removed).
export const networkPolicyStrategy = defineStrategy({
  namespaced: true,
  generation: true,
  defaults: defaultNetworkPolicy,
  validate(np) {
    const errs = validateLabelSelector(get(np, 'spec', 'podSelector'), 'spec.podSelector');
    arr(get(np, 'spec', 'policyTypes')).forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') errs.push(fieldErrors.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
    });
    return errs;
  },
});

export function networkingDefinitions(): ResourceDefinition[] {
  const up = (plural: string) => upstream('networking.k8s.io', 'v1', plural);
  return [
    defineBuiltin(up('ingressclasses'), {
      strategy: ingressClassStrategy,
      cells: { Controller: (ic) => str(get(ic, 'spec', 'controller')), Parameters: ingressClassParameters },
    }),
    ingressDefinition(),
    defineBuiltin(up('networkpolicies'), {
      strategy: networkPolicyStrategy,
      cells: { 'Pod-Selector': (np) => formatLabelSelector(get(np, 'spec', 'podSelector')) },
    }),
    ...serviceNetworkDefinitions(),
  ];
}
