import { describe, expect, it } from 'vitest';
import { undefinedFields, type FieldSchema } from './index.js';

/** A tiny schema: objects by their declared fields, lists by items, maps accept any key. */
function s(def: { props?: Record<string, FieldSchema>; items?: FieldSchema; map?: boolean }): FieldSchema {
  return { field: (n) => def.props?.[n], items: def.items, acceptsAnyField: def.map ?? false, isIntOrString: false };
}
const leaf = s({});
const container = s({ props: { name: leaf, image: leaf } });
const deployment = s({ props: { metadata: s({ props: { name: leaf, labels: s({ map: true }) } }), spec: s({ props: { replicas: leaf, containers: s({ items: container }) } }) } });

describe('undefined field references', () => {
  it("reports a misspelt field as cel-go's checker does, with its position", () => {
    expect(undefinedFields('object.spec.replica > 1', { object: deployment })).toEqual(["ERROR: <input>:1:12: undefined field 'replica'\n | object.spec.replica > 1\n | ...........^"]);
  });
  it('follows list indexes and has(); stops at maps and at other variables', () => {
    expect(undefinedFields("object.spec.containers[0].nam == 'x' && has(object.spec.x)", { object: deployment }).map((e) => e.split('\n')[0])).toEqual(["ERROR: <input>:1:26: undefined field 'nam'", "ERROR: <input>:1:41: undefined field 'x'"]);
    expect(undefinedFields("object.metadata.labels.anything == 'a' && params.whatever && object.spec.containers.all(c, c.whatever)", { object: deployment })).toEqual([]);
  });
  it('nothing for a valid expression, an unknown schema or one that does not parse', () => {
    expect(undefinedFields('object.spec.replicas <= 5 && object.metadata.name != ""', { object: deployment })).toEqual([]);
    expect(undefinedFields('object.spec.replica', { object: undefined })).toEqual([]);
    expect(undefinedFields('object.spec.', { object: deployment })).toEqual([]);
  });
});
