import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { get, isObj, str } from '../shared/object.js';
import { defineStrategy } from '../shared/strategy.js';
import { MAX_DATA_SIZE, validateDataMap, validateImmutableData } from './configmap.js';
import { upstream } from '../upstream/index.js';

/** Keys each well-known secret type must carry (upstream ValidateSecret). */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function defaults(secret: KubeObject): void {
  if (!secret.type) secret.type = 'Opaque';
  // stringData is write-only: merged into data (base64) and dropped, as the v1 conversion does.
  if (isObj(secret.stringData)) {
    const data = isObj(secret.data) ? secret.data : {};
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(str(v), 'utf8').toString('base64');
    secret.data = data;
  }
  delete secret.stringData;
}

function validate(secret: KubeObject): FieldError[] {
  const { errs, size } = validateDataMap(secret.data, 'data', true, new Set());
  if (size > MAX_DATA_SIZE) errs.push(fieldErrors.tooLong('data', MAX_DATA_SIZE));
  const type = str(secret.type);
  const data = isObj(secret.data) ? secret.data : {};
  for (const key of REQUIRED_KEYS[type] ?? []) {
    if (!(key in data)) errs.push(fieldErrors.required(`data[${key}]`, ''));
  }
  if (type === 'kubernetes.io/service-account-token' && !get(secret, 'metadata', 'annotations', 'kubernetes.io/service-account.name')) {
    errs.push(fieldErrors.required('metadata.annotations[kubernetes.io/service-account.name]', ''));
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push(fieldErrors.required('data[username]', ''));
  }
  return errs;
}

export const secretStrategy = defineStrategy({
  namespaced: true,
  defaults,
  validate,
  validateUpdate: (s, old) => [...immutable('type', s.type, old.type), ...validateImmutableData(s, old, ['data'])],
  selectableFields: (s) => ({ type: str(s.type) }),
});

export function secretDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'secrets'), {
    strategy: secretStrategy,
    cells: {
      Type: (s) => str(s.type),
      Data: (s) => Object.keys(isObj(s.data) ? s.data : {}).length,
    },
  });
}
