import { join } from 'node:path';
import type protobuf from 'protobufjs';
import type * as Yaml from 'yaml';
import { lazyModule, packageRoot } from '../../util/index.js';

// Loaded on first use: most processes never see a protobuf body, and loading it slows every start.
const pb = lazyModule<typeof protobuf>('protobufjs');
const yaml = lazyModule<typeof Yaml>('yaml');

/**
 * Converts an OpenAPI v2 (Swagger) JSON document into gnostic's `openapi.v2.Document` protobuf,
 * the only form of /openapi/v2 that kubectl 1.27 and 1.28 accept
 * (application/com.github.proto-openapi.spec.v2@v1.0+protobuf). The schema is gnostic's
 * OpenAPIv2.proto, vendored in third_party/gnostic. Most messages map field by field
 * (snake_case ↔ camelCase, `_ref` ↔ `$ref`, `x-*` keys → vendor_extension); the few oneof wrappers
 * and name/value maps are handled by name below, following the gnostic compiler's rules.
 */
type Json = unknown;
type Obj = Record<string, unknown>;

let root: protobuf.Root | undefined;
function gnosticRoot(): protobuf.Root {
  if (!root) {
    root = new (pb().Root)();
    root.loadSync(join(packageRoot(), 'third_party', 'gnostic', 'openapiv2', 'OpenAPIv2.proto'), { keepCase: true });
    root.resolveAll();
  }
  return root;
}

const NAMED_MAPS: Record<string, string> = {
  Default: 'NamedAny',
  Examples: 'NamedAny',
  VendorExtension: 'NamedAny',
  Definitions: 'NamedSchema',
  Properties: 'NamedSchema',
  ParameterDefinitions: 'NamedParameter',
  ResponseDefinitions: 'NamedResponse',
  SecurityDefinitions: 'NamedSecurityDefinitionsItem',
  Oauth2Scopes: 'NamedString',
  Headers: 'NamedHeader',
  SecurityRequirement: 'NamedStringArray',
};

function camel(snake: string): string {
  if (snake === '_ref') return '$ref';
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const isObj = (v: Json): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function anyOf(v: Json): Obj {
  // gnostic keeps free-form values as YAML text.
  return { yaml: typeof v === 'string' ? `${JSON.stringify(v)}\n` : yaml().stringify(v) };
}

function vendorExtensions(o: Obj): Obj[] {
  return Object.keys(o)
    .filter((k) => k.startsWith('x-'))
    .map((k) => ({ name: k, value: anyOf(o[k]) }));
}

function named(o: Json, valueType: string): Obj[] {
  if (!isObj(o)) return [];
  return Object.entries(o).map(([name, v]) => ({ name, value: convert(v, valueType) }));
}

function special(v: Json, type: string): Obj | undefined {
  const o = isObj(v) ? v : {};
  switch (type) {
    case 'Any':
      return anyOf(v);
    case 'TypeItem':
      return { value: Array.isArray(v) ? v : [v] };
    case 'StringArray':
      return { value: Array.isArray(v) ? v : [] };
    case 'ItemsItem':
      return { schema: (Array.isArray(v) ? v : [v]).map((s) => convert(s, 'Schema')) };
    case 'AdditionalPropertiesItem':
      return typeof v === 'boolean' ? { boolean: v } : { schema: convert(v, 'Schema') };
    case 'SchemaItem':
      return o.type === 'file' ? { file_schema: convert(v, 'FileSchema') } : { schema: convert(v, 'Schema') };
    case 'ParametersItem':
      return typeof o.$ref === 'string' ? { json_reference: convert(v, 'JsonReference') } : { parameter: convert(v, 'Parameter') };
    case 'Parameter':
      return o.in === 'body' ? { body_parameter: convert(v, 'BodyParameter') } : { non_body_parameter: convert(v, 'NonBodyParameter') };
    case 'NonBodyParameter': {
      const which = { header: 'HeaderParameterSubSchema', formData: 'FormDataParameterSubSchema', query: 'QueryParameterSubSchema', path: 'PathParameterSubSchema' }[String(o.in)];
      if (!which) return {};
      return { [which.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()]: convert(v, which) };
    }
    case 'ResponseValue':
      return typeof o.$ref === 'string' ? { json_reference: convert(v, 'JsonReference') } : { response: convert(v, 'Response') };
    case 'Paths':
      return {
        path: Object.entries(o).filter(([k]) => k.startsWith('/')).map(([name, p]) => ({ name, value: convert(p, 'PathItem') })),
        vendor_extension: vendorExtensions(o),
      };
    case 'Responses':
      return {
        response_code: Object.entries(o).filter(([k]) => !k.startsWith('x-')).map(([name, r]) => ({ name, value: convert(r, 'ResponseValue') })),
        vendor_extension: vendorExtensions(o),
      };
    case 'SecurityDefinitionsItem': {
      const flow = String(o.flow ?? '');
      const which =
        o.type === 'basic' ? 'basic_authentication_security' : o.type === 'apiKey' ? 'api_key_security'
        : flow === 'implicit' ? 'oauth2_implicit_security' : flow === 'password' ? 'oauth2_password_security'
        : flow === 'application' ? 'oauth2_application_security' : 'oauth2_access_code_security';
      const msg = { basic_authentication_security: 'BasicAuthenticationSecurity', api_key_security: 'ApiKeySecurity', oauth2_implicit_security: 'Oauth2ImplicitSecurity', oauth2_password_security: 'Oauth2PasswordSecurity', oauth2_application_security: 'Oauth2ApplicationSecurity', oauth2_access_code_security: 'Oauth2AccessCodeSecurity' }[which];
      return { [which]: convert(v, msg) };
    }
  }
  if (NAMED_MAPS[type]) return { additional_properties: named(v, NAMED_MAPS[type]!.slice('Named'.length) || 'Any') };
  return undefined;
}

function convert(v: Json, type: string): Obj {
  const sp = special(v, type);
  if (sp) return sp;
  if (!isObj(v)) return {};
  const t = gnosticRoot().lookupType(`openapi.v2.${type}`);
  const out: Obj = {};
  for (const f of t.fieldsArray) {
    if (f.name === 'vendor_extension') {
      out.vendor_extension = vendorExtensions(v);
      continue;
    }
    const val = v[camel(f.name)];
    if (val === undefined || val === null) continue;
    if (f.resolvedType instanceof pb().Type) {
      const inner = f.resolvedType.name;
      out[f.name] = f.repeated ? (Array.isArray(val) ? val : [val]).map((x) => convert(x, inner)) : convert(val, inner);
    } else {
      out[f.name] = f.repeated && !Array.isArray(val) ? [val] : val;
    }
  }
  return out;
}

/** Encodes a parsed Swagger 2.0 document as a gnostic openapi.v2.Document. */
export function encodeGnosticV2(doc: Json): Buffer {
  const Document = gnosticRoot().lookupType('openapi.v2.Document');
  return Buffer.from(Document.encode(Document.fromObject(convert(doc, 'Document'))).finish());
}

/**
 * The gnostic encoding of only the definitions and paths of `part` (a Swagger fragment). Protobuf
 * merges a message's encodings when they are concatenated (repeated fields append, embedded
 * messages merge), so `encodeGnosticV2(base) ++ encodeGnosticV2Additions(part)` decodes as `base`
 * with `part`'s definitions and paths added: the large built-in document is encoded once, and a
 * CRD change encodes only the custom resources.
 */
export function encodeGnosticV2Additions(part: { definitions: Obj; paths: Obj }): Buffer {
  return encodeGnosticV2({ definitions: part.definitions, paths: part.paths });
}

/** Decodes a gnostic Document into protobufjs' plain-object form (tests, debugging). */
export function decodeGnosticV2(bytes: Uint8Array): Obj {
  const Document = gnosticRoot().lookupType('openapi.v2.Document');
  return Document.toObject(Document.decode(bytes), { defaults: false, arrays: true }) as Obj;
}
