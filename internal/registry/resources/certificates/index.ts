import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { isBase64 } from '../core/configmap.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { arr, child, get, objs, str } from '../shared/object.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { humanDuration } from '../shared/time.js';
import { upstream } from '../upstream/index.js';

const CONDITION_TYPES = ['Approved', 'Denied', 'Failed'];

function validate(csr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const request = get(csr, 'spec', 'request');
  if (!str(request)) errs.push(fieldErrors.required('spec.request', ''));
  else if (!isBase64(request) || !Buffer.from(str(request), 'base64').toString('utf8').includes('CERTIFICATE REQUEST')) {
    errs.push(fieldErrors.invalid('spec.request', '<value omitted>', 'PEM block type must be CERTIFICATE REQUEST'));
  }
  if (!str(get(csr, 'spec', 'signerName'))) errs.push(fieldErrors.required('spec.signerName', ''));
  const expiration = get(csr, 'spec', 'expirationSeconds');
  if (expiration !== undefined && !(typeof expiration === 'number' && expiration >= 600)) {
    errs.push(fieldErrors.invalid('spec.expirationSeconds', expiration, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  return errs;
}

function validateConditions(csr: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const types = objs(get(csr, 'status', 'conditions')).map((c) => str(c.type));
  types.forEach((t, i) => {
    if (!t) errs.push(fieldErrors.required(`status.conditions[${i}].type`, ''));
  });
  if (types.includes('Approved') && types.includes('Denied')) {
    errs.push(fieldErrors.invalid('status.conditions', types, 'Approved and Denied conditions are mutually exclusive'));
  }
  return errs;
}

export const csrStrategy = defineStrategy({
  namespaced: false,
  status: true,
  // The requester's identity is recorded from the authenticated user, never from the body.
  onCreate(csr, ctx) {
    const spec = child(csr, 'spec');
    spec.username = ctx.user.name;
    spec.groups = ctx.user.groups;
    if (ctx.user.uid) spec.uid = ctx.user.uid;
    else delete spec.uid;
    if (arr(spec.usages).length === 0) spec.usages = ['digital signature', 'key encipherment'];
  },
  validate,
  validateUpdate: (csr, old) => immutable('spec', csr.spec, old.spec),
  selectableFields: (csr) => ({ 'spec.signerName': str(get(csr, 'spec', 'signerName')) }),
});

/** /approval changes only status.conditions (Approved/Denied); /status the rest of status. */
const approvalStrategy = subresourceStrategy(csrStrategy, {
  writable: [],
  afterKeep(csr, _old, incoming) {
    child(csr, 'status').conditions = get(incoming, 'status', 'conditions') ?? [];
  },
  validate: validateConditions,
});

function condition(csr: KubeObject): string {
  const types = objs(get(csr, 'status', 'conditions')).map((c) => str(c.type)).filter((t) => CONDITION_TYPES.includes(t));
  if (str(get(csr, 'status', 'certificate'))) types.push('Issued');
  return types.length > 0 ? types.join(',') : 'Pending';
}

export function certificatesDefinitions(): ResourceDefinition[] {
  return [
    defineBuiltin(upstream('certificates.k8s.io', 'v1', 'certificatesigningrequests'), {
      strategy: csrStrategy,
      cells: {
        SignerName: (csr) => str(get(csr, 'spec', 'signerName')),
        Requestor: (csr) => str(get(csr, 'spec', 'username')),
        RequestedDuration: (csr) => {
          const s = get(csr, 'spec', 'expirationSeconds');
          return typeof s === 'number' ? humanDuration(s * 1000) : '<none>';
        },
        Condition: condition,
      },
      subresources: {
        status: { strategy: subresourceStrategy(csrStrategy, { validate: validateConditions }) },
        approval: { strategy: approvalStrategy },
      },
    }),
  ];
}
