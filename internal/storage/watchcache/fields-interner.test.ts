import { describe, expect, it } from 'vitest';
import { FieldsInterner } from './fields-interner.js';

const rsFields = () => ({ 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } } } });
const kubeletFields = (ip: string) => ({ 'f:status': { 'f:phase': {}, 'f:podIPs': { [`k:{"ip":"${ip}"}`]: { '.': {}, 'f:ip': {} } } } });
const pod = (ip: string): any => JSON.parse(JSON.stringify({ metadata: { name: ip, managedFields: [{ manager: 'rs', fieldsV1: rsFields() }, { manager: 'kubelet', subresource: 'status', fieldsV1: kubeletFields(ip) }] }, spec: {} }));

describe('FieldsInterner', () => {
  it('gives equal field sets one frozen tree, and unequal ones their own', () => {
    const t = new FieldsInterner();
    const a = t.intern(pod('10.0.0.1'));
    const b = t.intern(pod('10.0.0.2'));
    expect(b.metadata.managedFields[0].fieldsV1).toBe(a.metadata.managedFields[0].fieldsV1);
    expect(b.metadata.managedFields[1].fieldsV1).not.toBe(a.metadata.managedFields[1].fieldsV1);
    expect(Object.isFrozen(a.metadata.managedFields[0].fieldsV1)).toBe(true);
    expect(Object.isFrozen(b.metadata.managedFields[1].fieldsV1['f:status']['f:podIPs'])).toBe(true);
    // The content is unchanged.
    expect(JSON.parse(JSON.stringify(b))).toEqual(pod('10.0.0.2'));
  });

  it('shares the empty members of sets it cannot share whole', () => {
    const t = new FieldsInterner();
    const a = t.intern(pod('10.0.0.1')).metadata.managedFields[1].fieldsV1['f:status'];
    const b = t.intern(pod('10.0.0.2')).metadata.managedFields[1].fieldsV1['f:status'];
    expect(b['f:phase']).toBe(a['f:phase']);
    expect(b['f:podIPs']['k:{"ip":"10.0.0.2"}']['f:ip']).toBe(a['f:phase']);
  });

  it('leaves objects without managedFields (or frozen entries) alone', () => {
    const t = new FieldsInterner();
    const plain = { metadata: { name: 'x' } };
    expect(t.intern(plain)).toEqual({ metadata: { name: 'x' } });
    const frozen = Object.freeze({ manager: 'm', fieldsV1: { 'f:a': {} } });
    t.intern({ metadata: { managedFields: [frozen] } });
    expect(t.size).toBe(0);
    expect(t.intern(null)).toBe(null);
  });

  it('holds at most max trees, the least recently seen going first', () => {
    const t = new FieldsInterner(2);
    const first = t.intern(pod('10.0.0.1')).metadata.managedFields[0].fieldsV1; // rs + kubelet .1
    t.intern(pod('10.0.0.2')); // rs seen again (kept), kubelet .1 goes
    expect(t.size).toBe(2);
    expect(t.intern(pod('10.0.0.3')).metadata.managedFields[0].fieldsV1).toBe(first);
    const again = t.intern(pod('10.0.0.1')).metadata.managedFields[1].fieldsV1;
    expect(again).toEqual(kubeletFields('10.0.0.1'));
  });
});
