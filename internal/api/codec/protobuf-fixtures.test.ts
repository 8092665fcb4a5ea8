import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../util/index.js';
import { decodeProtobufObject, encodeProtobufObject } from './protobuf-envelope.js';
import { protoSchema } from './protobuf-schema.js';

// Mirrors what kube-apiserver does with kubectl ≥1.32 create bodies: the decoded object must be
// exactly the JSON the same kubectl prints for --dry-run=client -o json.
const dir = join(packageRoot(), 'internal/api/codec/testdata/kubectl-1.32');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.pb'))
  .map((f) => f.slice(0, -3));

describe('real kubectl 1.32 protobuf bodies', () => {
  it('has the captured fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(17);
  });

  it.each(names)('%s decodes to kubectl’s own JSON form', (name) => {
    const pb = readFileSync(join(dir, `${name}.pb`));
    const want = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    expect(decodeProtobufObject(pb)).toEqual(want);
  });

  it.each(names)('%s re-encodes to bytes that decode to the same object', (name) => {
    const want = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
    expect(decodeProtobufObject(encodeProtobufObject(want))).toEqual(want);
  });

  it('loads the .proto files once and reports the time', () => {
    const a = protoSchema();
    expect(protoSchema()).toBe(a);
    expect(a.loadMs).toBeGreaterThan(0);
    console.log(`kubernetes .proto load: ${a.loadMs.toFixed(0)} ms`);
  });
});
