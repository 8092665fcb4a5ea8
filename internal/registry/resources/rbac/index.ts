import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { arr, get, isObj, objs, str } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { nameIsPathSegment } from '../shared/validation.js';
import { upstream } from '../upstream/index.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

/** Upstream ValidatePolicyRule: verbs always; resource rules need groups and resources. */
function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  objs(obj.rules).forEach((r, i) => {
    const at = `rules[${i}]`;
    if (arr(r.verbs).length === 0) errs.push(fieldErrors.required(`${at}.verbs`, 'verbs must contain at least one value'));
    if (arr(r.nonResourceURLs).length > 0) {
      if (namespaced) errs.push(fieldErrors.invalid(`${at}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (arr(r.apiGroups).length > 0 || arr(r.resources).length > 0 || arr(r.resourceNames).length > 0) {
        errs.push(fieldErrors.invalid(`${at}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (arr(r.apiGroups).length === 0) errs.push(fieldErrors.required(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
    if (arr(r.resources).length === 0) errs.push(fieldErrors.required(`${at}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

function validateBinding(obj: KubeObject, roleKinds: string[], clusterScoped: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = isObj(obj.roleRef) ? obj.roleRef : {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(fieldErrors.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  if (!roleKinds.includes(str(ref.kind))) errs.push(fieldErrors.notSupported('roleRef.kind', ref.kind ?? '', roleKinds));
  if (!str(ref.name)) errs.push(fieldErrors.required('roleRef.name', ''));
  objs(obj.subjects).forEach((s, i) => {
    const at = `subjects[${i}]`;
    if (!SUBJECT_KINDS.includes(str(s.kind))) errs.push(fieldErrors.notSupported(`${at}.kind`, s.kind ?? '', SUBJECT_KINDS));
    if (!str(s.name)) errs.push(fieldErrors.required(`${at}.name`, ''));
    if (s.kind === 'ServiceAccount' && clusterScoped && !str(s.namespace)) errs.push(fieldErrors.required(`${at}.namespace`, ''));
  });
  return errs;
}

function roleStrategy(namespaced: boolean) {
  return defineStrategy({ namespaced, name: nameIsPathSegment, validate: (r) => validateRules(r, namespaced) });
}

function bindingStrategy(namespaced: boolean) {
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  return defineStrategy({
    namespaced,
    name: nameIsPathSegment,
    defaults(b) {
      for (const s of objs(b.subjects)) {
        // v1 defaulting: users and groups belong to the RBAC group, service accounts to core ("",
        // which Go's omitempty leaves out: storing it would make every kubectl apply "configured").
        if (s.apiGroup === undefined && s.kind !== 'ServiceAccount') s.apiGroup = RBAC_GROUP;
        else if (s.apiGroup === '') delete s.apiGroup;
      }
    },
    validate: (b) => validateBinding(b, kinds, !namespaced),
    validateUpdate: (b, old) =>
      JSON.stringify(b.roleRef) === JSON.stringify(old.roleRef) ? [] : [fieldErrors.invalid('roleRef', b.roleRef, 'cannot change roleRef')],
  });
}

const subjects = (kind: string) => (b: KubeObject) =>
  objs(b.subjects)
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s.namespace)}/${str(s.name)}` : str(s.name)))
    .join(', ');

const bindingCells = {
  Role: (b: KubeObject) => `${str(get(b, 'roleRef', 'kind'))}/${str(get(b, 'roleRef', 'name'))}`,
  Users: subjects('User'),
  Groups: subjects('Group'),
  ServiceAccounts: subjects('ServiceAccount'),
};

export const clusterRoleStrategy = roleStrategy(false);

export function rbacDefinitions(): ResourceDefinition[] {
  const up = (plural: string) => upstream(RBAC_GROUP, 'v1', plural);
  return [
    defineBuiltin(up('clusterrolebindings'), { strategy: bindingStrategy(false), cells: bindingCells }),
    defineBuiltin(up('clusterroles'), { strategy: clusterRoleStrategy }),
    defineBuiltin(up('rolebindings'), { strategy: bindingStrategy(true), cells: bindingCells }),
    defineBuiltin(up('roles'), { strategy: roleStrategy(true) }),
  ];
}
