import { describe, expect, it } from 'vitest';
import { fieldErrorMessage } from '../../api/index.js';
import { prune, type Schema } from './prune.js';
import { applyDefaults, validateBySchema } from './schema-validate.js';

const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        items: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'object', properties: { name: { type: 'string', minLength: 2 } } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { a: { type: 'integer' } } } } },
        ratio: { type: 'number', minimum: 0, exclusiveMinimum: true },
        mode: { type: 'string', default: 'fast' },
        nested: { type: 'object', properties: { level: { type: 'integer', default: 1 } } },
      },
    },
  },
};

describe('structural schema', () => {
  it('prunes unknown fields at every depth but keeps embedded resources\' type and object meta', () => {
    const obj = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'n', labels: { a: 'b' } },
      top: 1,
      spec: { items: [{ name: 'ab', extra: true }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 1, b: 2 } } },
    };
    expect(prune(obj, schema)).toEqual(['top', 'spec.items[0].extra', 'spec.template.spec.b']);
    expect(obj).toEqual({
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'n', labels: { a: 'b' } },
      spec: { items: [{ name: 'ab' }], template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 1 } } },
    });
  });

  it('applies defaults only where the parent exists', () => {
    const obj: Record<string, unknown> = { spec: { nested: {} } };
    applyDefaults(obj, schema);
    expect(obj).toEqual({ spec: { mode: 'fast', nested: { level: 1 } } });
  });

  it('reports counts, lengths and exclusive bounds with upstream wording', () => {
    const errs = validateBySchema({ spec: { items: [{ name: 'a' }, { name: 'bb' }, { name: 'cc' }], ratio: 0 } }, schema);
    expect(errs.map(fieldErrorMessage)).toEqual([
      'spec.items: Too many: must have at most 2 items',
      'spec.items[0].name: Invalid value: "a": spec.items[0].name in body should be at least 2 chars long',
      'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
    ]);
  });
});
