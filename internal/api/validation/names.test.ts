import { describe, expect, it } from 'vitest';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPathSegmentPrefix,
  regexError,
} from './names.js';
import { nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, nameIsDNS1035Label, nameValidatorFor } from './name-rules.js';
import { generateNameFrom, GENERATE_NAME_ALPHABET } from './generate-name.js';
import { seededRand } from '../../util/index.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QNAME_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('regexError', () => {
  it('formats without and with examples like upstream (double space before "or")', () => {
    expect(regexError('m', 'f')).toBe("m (regex used for validation is 'f')");
    expect(regexError('m', 'f', 'a', 'b')).toBe("m (e.g. 'a',  or 'b', regex used for validation is 'f')");
  });
});

describe('DNS names', () => {
  it('subdomain: accepts dotted names, rejects upper case and too long', () => {
    expect(isDNS1123Subdomain('a.b-c')).toEqual([]);
    expect(isDNS1123Subdomain('BAD_NAME')).toEqual([SUBDOMAIN_MSG]);
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
    expect(isDNS1123Subdomain('a'.repeat(253))).toEqual([]);
    expect(isDNS1123Subdomain('-a')).toEqual([SUBDOMAIN_MSG]);
  });
  it('label: no dots, ≤63', () => {
    expect(isDNS1123Label('ns-1')).toEqual([]);
    expect(isDNS1123Label('a.b')).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });
  it('1035 label: must start with a letter', () => {
    expect(isDNS1035Label('svc1')).toEqual([]);
    expect(isDNS1035Label('1svc')).toEqual([
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
    expect(isDNS1035Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });
});

describe('isQualifiedName', () => {
  it('accepts plain and prefixed names', () => {
    expect(isQualifiedName('app')).toEqual([]);
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('My_Name.x')).toEqual([]);
  });
  it('rejects more than one slash', () => {
    expect(isQualifiedName('a/b/c')).toEqual([
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });
  it('rejects empty prefix, bad prefix, empty and long names', () => {
    expect(isQualifiedName('/a')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('app_x.io/name')).toEqual([`prefix part ${SUBDOMAIN_MSG}`]);
    expect(isQualifiedName('a/')).toEqual(['name part must be non-empty', QNAME_NAME_MSG]);
    expect(isQualifiedName('a'.repeat(64))).toEqual(['name part must be no more than 63 characters']);
    expect(isQualifiedName('app:x')).toEqual([QNAME_NAME_MSG]);
  });
});

describe('isValidLabelValue', () => {
  it('allows empty and normal values; rejects bad chars and length', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('my_value-1.2')).toEqual([]);
    const bad =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    expect(isValidLabelValue('-x')).toEqual([bad]);
    expect(isValidLabelValue('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });
});

describe('isConfigMapKey', () => {
  it('checks charset, length and dot prefixes', () => {
    expect(isConfigMapKey('key.name_1-x')).toEqual([]);
    expect(isConfigMapKey('a b')).toEqual([
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
    expect(isConfigMapKey('.')).toEqual(["must not be '.'"]);
    expect(isConfigMapKey('..')).toEqual(["must not be '..'"]);
    expect(isConfigMapKey('..a')).toEqual(["must not start with '..'"]);
    expect(isConfigMapKey('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });
});

describe('path segment names', () => {
  it('rejects . .. / %', () => {
    expect(isValidPathSegmentName('system:controller:x')).toEqual([]);
    expect(isValidPathSegmentName('.')).toEqual(["may not be '.'"]);
    expect(isValidPathSegmentName('..')).toEqual(["may not be '..'"]);
    expect(isValidPathSegmentName('a/b%c')).toEqual(["may not contain '/'", "may not contain '%'"]);
    expect(isValidPathSegmentPrefix('..')).toEqual([]);
  });
});

describe('name rules', () => {
  it('generateName prefixes may end with a dash', () => {
    expect(nameIsDNSSubdomain('web-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('web-', false)).toHaveLength(1);
    expect(nameIsDNSLabel('ns-', true)).toEqual([]);
    expect(nameIsDNS1035Label('svc-', true)).toEqual([]);
    expect(nameIsPathSegment('a/', true)).toEqual(["may not contain '/'"]);
    expect(nameIsPathSegment('..', true)).toEqual([]);
    expect(nameIsPathSegment('..', false)).toEqual(["may not be '..'"]);
  });
});

describe('generateNameFrom', () => {
  it('appends 5 characters from the upstream alphabet, deterministic with a seeded rand', () => {
    const a = generateNameFrom('web-', seededRand(1));
    expect(a).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(generateNameFrom('web-', seededRand(1))).toBe(a);
    expect(generateNameFrom('web-', () => 0)).toBe('web-bbbbb');
    expect(generateNameFrom('web-', () => 0.9999)).toBe('web-99999');
    expect(GENERATE_NAME_ALPHABET).toHaveLength(27);
  });
  it('cuts long prefixes to 58 characters', () => {
    const n = generateNameFrom('g'.repeat(100), () => 0);
    expect(n).toBe('g'.repeat(58) + 'bbbbb');
    expect(n).toHaveLength(63);
  });
});

describe('nameValidatorFor', () => {
  it('picks the upstream rule per resource', () => {
    expect(nameValidatorFor({ group: '', resource: 'namespaces' })('a.b', false)).toHaveLength(1);
    expect(nameValidatorFor({ group: '', resource: 'services' })('1svc', false)).toHaveLength(1);
    expect(nameValidatorFor({ group: 'rbac.authorization.k8s.io', resource: 'clusterroles' })('system:controller:x', false)).toEqual([]);
    expect(nameValidatorFor({ group: 'flowcontrol.apiserver.k8s.io', resource: 'flowschemas' })('Exempt', false)).toEqual([]);
    expect(nameValidatorFor({ group: '', resource: 'configmaps' })('a.b-c', false)).toEqual([]);
    expect(nameValidatorFor({ group: 'example.com', resource: 'widgets' })('BAD', false)).toHaveLength(1);
  });
});
