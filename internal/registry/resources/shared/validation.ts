// The one place this folder reaches the shared name/ObjectMeta validation of internal/api.

export {
  isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, isValidLabelValue, isConfigMapKey,
  nameIsDNSSubdomain, nameIsDNSLabel, nameIsDNS1035Label, nameIsPathSegment,
  validateObjectMeta as validateObjectMetaFields, validateObjectMetaUpdate as validateObjectMetaUpdateFields,
  validateLabels, validateAnnotations, FIELD_IMMUTABLE,
} from '../../../api/index.js';
export type { NameValidator } from '../../../api/index.js';
