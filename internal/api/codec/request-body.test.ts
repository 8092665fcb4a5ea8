import { describe, expect, it } from 'vitest';
import { isApiError } from '../errors.js';
import { bodyFormatOf, decodeRequestBody, mediaTypeOf } from './request-body.js';
import { encodeProtobufObject } from './protobuf-envelope.js';

function apiErr(fn: () => unknown): { reason: string; code: number; message: string } {
  try {
    fn();
  } catch (e) {
    expect(isApiError(e)).toBe(true);
    return e as { reason: string; code: number; message: string };
  }
  throw new Error('expected an ApiError');
}

const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', creationTimestamp: null }, data: { a: 'b' } };

describe('content types', () => {
  it('strips parameters and picks a decoder', () => {
    expect(mediaTypeOf('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(bodyFormatOf('application/json')).toBe('json');
    expect(bodyFormatOf(undefined)).toBe('json');
    expect(bodyFormatOf('application/yaml')).toBe('yaml');
    expect(bodyFormatOf('application/vnd.kubernetes.protobuf')).toBe('protobuf');
    expect(bodyFormatOf('application/merge-patch+json')).toBeUndefined();
  });
  it('answers other media types with 415', () => {
    const e = apiErr(() => decodeRequestBody('text/plain', '{}'));
    expect(e.code).toBe(415);
    expect(e.reason).toBe('UnsupportedMediaType');
    expect(e.message).toContain('(got text/plain)');
  });
});

describe('decodeRequestBody', () => {
  it('empty bodies decode to undefined (DELETE from client-node and Python)', () => {
    expect(decodeRequestBody('application/json', '')).toBeUndefined();
    expect(decodeRequestBody('application/json', Buffer.alloc(0))).toBeUndefined();
    expect(decodeRequestBody('application/json', undefined)).toBeUndefined();
    expect(decodeRequestBody('application/yaml', '')).toBeUndefined();
    expect(decodeRequestBody('application/json', '  \n')).toBeUndefined();
  });

  it('JSON', () => {
    expect(decodeRequestBody('application/json', JSON.stringify(cm))).toEqual(cm);
  });

  it('malformed JSON is 400 BadRequest with a summary of the body', () => {
    const e = apiErr(() => decodeRequestBody('application/json', '{"kind":"ConfigMap",'));
    expect(e.code).toBe(400);
    expect(e.reason).toBe('BadRequest');
    expect(e.message).toMatch(/^the object provided is unrecognized \(\{"kind":"ConfigMap",\): couldn't get version\/kind; json parse error: /);
  });

  it('YAML, single document', () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  creationTimestamp: null\ndata:\n  a: b\n';
    expect(decodeRequestBody('application/yaml', yaml)).toEqual(cm);
    expect(decodeRequestBody('application/yaml', `---\n${yaml}`)).toEqual(cm);
  });

  it('malformed or multi-document YAML is 400', () => {
    expect(apiErr(() => decodeRequestBody('application/yaml', 'a: [1, 2\n')).code).toBe(400);
    const e = apiErr(() => decodeRequestBody('application/yaml', 'a: 1\n---\nb: 2\n'));
    expect(e.message).toContain('expected a single YAML document');
  });

  it('protobuf', () => {
    expect(decodeRequestBody('application/vnd.kubernetes.protobuf', encodeProtobufObject(cm))).toEqual(cm);
  });

  it('protobuf without the magic prefix is 400', () => {
    const e = apiErr(() => decodeRequestBody('application/vnd.kubernetes.protobuf', Buffer.from('{"kind":"ConfigMap"}')));
    expect(e.code).toBe(400);
    expect(e.message).toContain('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  });

  it('truncated protobuf is 400', () => {
    const pb = encodeProtobufObject(cm);
    const e = apiErr(() => decodeRequestBody('application/vnd.kubernetes.protobuf', pb.subarray(0, pb.length - 3)));
    expect(e.code).toBe(400);
    expect(e.message).toMatch(/^unable to decode protobuf/);
  });

  it('protobuf of a kind we do not know is 400', () => {
    const pb = encodeProtobufObject(cm);
    // Rewrite the kind in the envelope: "ConfigMap" → "ConfigMop" (same length keeps lengths valid).
    const i = pb.indexOf('ConfigMap');
    pb.write('ConfigMop', i);
    const e = apiErr(() => decodeRequestBody('application/vnd.kubernetes.protobuf', pb));
    expect(e.code).toBe(400);
    expect(e.message).toBe('no kind "ConfigMop" is registered for version "v1"');
  });
});
