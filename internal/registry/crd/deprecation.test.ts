import { describe, expect, it } from 'vitest';
import { deprecationWarningErrors, deprecationWarningOf } from './deprecation.js';
import type { CrdSpec, CrdVersion } from './types.js';

const version = (name: string, more: Partial<CrdVersion> = {}): CrdVersion => ({ name, served: true, storage: false, ...more });
const spec = (versions: CrdVersion[]): CrdSpec => ({ group: 'stable.example.com', names: { kind: 'CronTab', plural: 'crontabs' }, scope: 'Namespaced', versions }) as CrdSpec;

describe('CRD version deprecation', () => {
  it('defaults to naming the most preferred served, non-deprecated newer version', () => {
    const s = spec([version('v1alpha1', { deprecated: true }), version('v1beta1'), version('v1', { storage: true }), version('v2', { served: false })]);
    expect(deprecationWarningOf(s, s.versions[0]!)).toBe('stable.example.com/v1alpha1 CronTab is deprecated; use stable.example.com/v1 CronTab');
  });

  it('names no replacement when none is newer, and uses the version\'s own text when set', () => {
    const s = spec([version('v1', { deprecated: true, storage: true }), version('v1beta1')]);
    expect(deprecationWarningOf(s, s.versions[0]!)).toBe('stable.example.com/v1 CronTab is deprecated');
    expect(deprecationWarningOf(s, version('v1', { deprecated: true, deprecationWarning: 'gone soon' }))).toBe('gone soon');
    expect(deprecationWarningOf(s, s.versions[1]!)).toBeUndefined();
  });

  it('validates the text as upstream', () => {
    const msgs = (v: CrdVersion) => deprecationWarningErrors(v, 'spec.versions[0]').map((e) => `${e.field}: ${e.detail}`);
    expect(msgs(version('v1', { deprecationWarning: 'x' }))).toEqual(['spec.versions[0].deprecationWarning: can only be set for deprecated versions']);
    expect(msgs(version('v1', { deprecated: true, deprecationWarning: '' }))).toEqual(['spec.versions[0].deprecationWarning: must not be an empty string']);
    expect(msgs(version('v1', { deprecated: true, deprecationWarning: 'a'.repeat(257) }))).toEqual(['spec.versions[0].deprecationWarning: must be <= 256 characters long']);
    expect(msgs(version('v1', { deprecated: true, deprecationWarning: 'é bad\tx' }))).toEqual([
      'spec.versions[0].deprecationWarning: must only contain printable UTF-8 characters; non-printable character found at index 6',
    ]);
    expect(msgs(version('v1', { deprecated: true, deprecationWarning: 'use v2 (soon) — ok' }))).toEqual([]);
  });
});
