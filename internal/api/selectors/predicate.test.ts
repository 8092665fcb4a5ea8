import { describe, expect, it } from 'vitest';
import { isApiError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { DEFAULT_SELECTABLE_FIELDS } from './field-selector.js';
import { buildPredicate, defaultFieldsOf } from './predicate.js';

const cm = (name: string, labels?: Record<string, string>, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace, labels },
});

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isApiError(e, 'BadRequest')).toBe(true);
    expect((e as { code: number }).code).toBe(400);
    return (e as Error).message;
  }
  throw new Error('expected BadRequest');
}

describe('buildPredicate', () => {
  it('no selectors: everything', () => {
    const p = buildPredicate({});
    expect(p.everything).toBe(true);
    expect(p.matches(cm('a'))).toBe(true);
  });

  it('combines label and field selectors', () => {
    const p = buildPredicate({ labelSelector: 'app=web', fieldSelector: 'metadata.name=a', allowedFields: DEFAULT_SELECTABLE_FIELDS });
    expect(p.everything).toBe(false);
    expect(p.matches(cm('a', { app: 'web' }))).toBe(true);
    expect(p.matches(cm('b', { app: 'web' }))).toBe(false);
    expect(p.matches(cm('a', { app: 'db' }))).toBe(false);
    expect(p.matches(cm('a'))).toBe(false);
    expect(p.fields.requiresExactMatch('metadata.name')).toBe('a');
    expect(p.labels.requiresExactMatch('app')).toBe('web');
  });

  it('uses fieldsOf only when a field selector is present', () => {
    let calls = 0;
    const fieldsOf = (o: KubeObject) => {
      calls++;
      return { ...defaultFieldsOf(o), type: String(o.type ?? '') };
    };
    expect(buildPredicate({ labelSelector: 'a' }, fieldsOf).matches(cm('x', { a: '' }))).toBe(true);
    expect(calls).toBe(0);
    const p = buildPredicate({ fieldSelector: 'type=kubernetes.io/tls' }, fieldsOf);
    expect(p.matches({ ...cm('s'), type: 'kubernetes.io/tls' })).toBe(true);
    expect(p.matches({ ...cm('s'), type: 'Opaque' })).toBe(false);
    expect(calls).toBe(2);
  });

  it('cluster-scoped objects have namespace ""', () => {
    expect(defaultFieldsOf({ metadata: { name: 'n' } })).toEqual({ 'metadata.name': 'n', 'metadata.namespace': '' });
  });

  it('turns selector errors into 400 BadRequest with upstream text', () => {
    expect(badRequest(() => buildPredicate({ labelSelector: 'a===b' }))).toBe("unable to parse requirement: found '=', expected: identifier");
    expect(badRequest(() => buildPredicate({ fieldSelector: 'x' }))).toBe("invalid selector: 'x'; can't understand 'x'");
    expect(badRequest(() => buildPredicate({ fieldSelector: 'data.a=1', allowedFields: DEFAULT_SELECTABLE_FIELDS }))).toBe(
      '"data.a" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });
});
