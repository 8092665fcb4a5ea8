import { describe, expect, it } from 'vitest';
import { fieldErrorMessage } from '../field-error.js';
import { apiErrors } from '../errors.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './name-rules.js';
import {
  validateAnnotations,
  validateFinalizers,
  validateLabels,
  validateManagedFields,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateOwnerReferences,
} from './object-meta.js';

const ns = { namespaced: true, nameFn: nameIsDNSSubdomain };
const cluster = { namespaced: false, nameFn: nameIsDNSLabel };
const msgs = (errs: Parameters<typeof fieldErrorMessage>[0][]) => errs.map(fieldErrorMessage);

describe('validateObjectMeta', () => {
  it('accepts a normal namespaced object', () => {
    expect(validateObjectMeta({ name: 'a.b-c', namespace: 'default', labels: { app: 'x' } }, ns)).toEqual([]);
  });

  it('renders the 422 message kubectl shows for BAD_NAME', () => {
    const errs = validateObjectMeta({ name: 'BAD_NAME', namespace: 'default' }, ns);
    expect(apiErrors.invalid('ConfigMap', 'BAD_NAME', errs).message).toBe(
      `ConfigMap "BAD_NAME" is invalid: metadata.name: Invalid value: "BAD_NAME": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  });

  it('requires name or generateName, and checks generateName as a prefix', () => {
    expect(msgs(validateObjectMeta({ namespace: 'd' }, ns))).toEqual(['metadata.name: Required value: name or generateName is required']);
    expect(validateObjectMeta({ generateName: 'web-', name: 'web-abcde', namespace: 'd' }, ns)).toEqual([]);
    const bad = validateObjectMeta({ generateName: 'Web-', name: 'Web-abcde', namespace: 'd' }, ns);
    expect(bad.map((e) => e.field)).toEqual(['metadata.generateName', 'metadata.name']);
  });

  it('namespace: required when namespaced, validated as a label, forbidden otherwise', () => {
    expect(msgs(validateObjectMeta({ name: 'a' }, ns))).toEqual(['metadata.namespace: Required value']);
    expect(validateObjectMeta({ name: 'a', namespace: 'a.b' }, ns)[0]!.field).toBe('metadata.namespace');
    expect(msgs(validateObjectMeta({ name: 'a', namespace: 'x' }, cluster))).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
    expect(validateObjectMeta({ name: 'a.b' }, cluster)[0]!.field).toBe('metadata.name');
  });

  it('rejects a negative generation', () => {
    expect(msgs(validateObjectMeta({ name: 'a', namespace: 'd', generation: -1 }, ns))).toEqual([
      'metadata.generation: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});

describe('labels and annotations', () => {
  it('reports bad keys and values at the map path', () => {
    const errs = validateLabels({ 'a/b/c': 'ok', good: '-bad' });
    expect(errs.map((e) => [e.field, e.value])).toEqual([
      ['metadata.labels', 'a/b/c'],
      ['metadata.labels', '-bad'],
    ]);
  });
  it('annotation keys are checked case-insensitively; values are free', () => {
    expect(validateAnnotations({ 'Example.COM/Key': 'any value at all !' })).toEqual([]);
    expect(validateAnnotations({ 'a b': 'x' })[0]!.field).toBe('metadata.annotations');
  });
  it('limits annotations to 256 KiB in total', () => {
    expect(validateAnnotations({ k: 'x'.repeat(256 * 1024 - 1) })).toEqual([]);
    const errs = validateAnnotations({ k: 'x'.repeat(256 * 1024) });
    expect(errs).toEqual([{ type: 'FieldValueTooLong', field: 'metadata.annotations', detail: 'may not be more than 262144 bytes' }]);
  });
});

describe('ownerReferences, finalizers, managedFields', () => {
  it('requires apiVersion, kind, name, uid', () => {
    const errs = validateOwnerReferences([{ apiVersion: '', kind: '', name: '', uid: '' }]);
    expect(msgs(errs)).toEqual([
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ]);
  });
  it('bans Events as owners and allows only one controller', () => {
    const ev = validateOwnerReferences([{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }]);
    expect(ev[0]!.detail).toBe('/v1, Kind=Event is disallowed from being an owner');
    const two = validateOwnerReferences([
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
    ]);
    expect(two.map((e) => e.detail)).toEqual(['Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b']);
  });
  it('finalizers: qualified names, standard short names, orphan xor foreground', () => {
    expect(validateFinalizers(['kubernetes', 'example.com/x', 'foregroundDeletion'])).toEqual([]);
    expect(msgs(validateFinalizers(['mine']))).toEqual([
      'metadata.finalizers[0]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
    ]);
    expect(validateFinalizers(['orphan', 'foregroundDeletion']).map((e) => e.detail)).toEqual([
      'finalizer orphan and foregroundDeletion cannot be both set',
    ]);
    expect(validateFinalizers(['a/b/c'])[0]!.field).toBe('metadata.finalizers');
  });
  it('managedFields: operation and fieldsType', () => {
    expect(validateManagedFields([{ manager: 'k', operation: 'Update', fieldsType: 'FieldsV1' }])).toEqual([]);
    const errs = validateManagedFields([{ manager: 'k', operation: 'Bogus' as 'Apply' }]);
    expect(msgs(errs)).toEqual([
      'metadata.managedFields[0].operation: Invalid value: "Bogus": must be `Apply` or `Update`',
      'metadata.managedFields[0].fieldsType: Invalid value: "": must be `FieldsV1`',
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old = { name: 'a', namespace: 'd', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z', generation: 2 };
  it('accepts an update that keeps identity', () => {
    expect(validateObjectMetaUpdate({ ...old, labels: { x: 'y' } }, old)).toEqual([]);
  });
  it('rejects identity changes, missing RV, generation decrement', () => {
    const errs = validateObjectMetaUpdate({ ...old, name: 'b', uid: 'u2', resourceVersion: '', generation: 1 }, old);
    expect(msgs(errs)).toEqual([
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      'metadata.generation: Invalid value: 1: must not be decremented',
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
  });
  it('treats null and absent creationTimestamp alike', () => {
    expect(validateObjectMetaUpdate({ name: 'a', resourceVersion: '1', creationTimestamp: null }, { name: 'a' })).toEqual([]);
  });
  it('forbids new finalizers once deletion started', () => {
    const deleting = { ...old, deletionTimestamp: '2026-01-02T00:00:00Z', finalizers: ['a.io/x'] };
    expect(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting)).toEqual([]);
    expect(msgs(validateObjectMetaUpdate({ ...deleting, finalizers: ['a.io/x', 'b.io/y'] }, deleting))).toEqual([
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    ]);
  });
});
