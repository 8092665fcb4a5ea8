import { describe, expect, it } from 'vitest';
import { JsonPatchError, applyJsonPatch } from './json-patch.js';

function failsWith(kind: 'malformed' | 'failed', doc: unknown, patch: unknown): void {
  try {
    applyJsonPatch(doc, patch);
  } catch (err) {
    expect(err).toBeInstanceOf(JsonPatchError);
    expect((err as JsonPatchError).kind).toBe(kind);
    return;
  }
  throw new Error('expected the patch to fail');
}

// Mirrors the examples of RFC 6902 Appendix A.
describe('applyJsonPatch (RFC 6902 appendix A)', () => {
  it('A.1 adds an object member', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({ baz: 'qux', foo: 'bar' });
  });
  it('A.2 adds an array element', () => {
    expect(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }])).toEqual({ foo: ['bar', 'qux', 'baz'] });
  });
  it('A.3 removes an object member', () => {
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).toEqual({ foo: 'bar' });
  });
  it('A.4 removes an array element', () => {
    expect(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({ foo: ['bar', 'baz'] });
  });
  it('A.5 replaces a value', () => {
    expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }])).toEqual({ baz: 'boo', foo: 'bar' });
  });
  it('A.6 moves a value', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    expect(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
  });
  it('A.7 moves an array element', () => {
    expect(applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).toEqual({
      foo: ['all', 'cows', 'eat', 'grass'],
    });
  });
  it('A.8 tests a value (success)', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }])).toEqual(doc);
  });
  it('A.9 tests a value (error)', () => {
    failsWith('failed', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]);
  });
  it('A.10 adds a nested member object', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }])).toEqual({ foo: 'bar', child: { grandchild: {} } });
  });
  it('A.11 ignores unrecognized elements', () => {
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }])).toEqual({ foo: 'bar', baz: 'qux' });
  });
  it('A.12 adding to a nonexistent target fails', () => {
    failsWith('failed', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]);
  });
  it('A.14 handles ~ escape ordering', () => {
    expect(applyJsonPatch({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }])).toEqual({ '/': 9, '~1': 10 });
  });
  it('A.15 compares strings and numbers strictly', () => {
    failsWith('failed', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]);
  });
  it('A.16 adds an array value', () => {
    expect(applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }])).toEqual({ foo: ['bar', ['abc', 'def']] });
  });
});

describe('applyJsonPatch edge cases', () => {
  it('copies a value without aliasing it', () => {
    const out = applyJsonPatch({ a: { b: 1 } }, [
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'replace', path: '/c/b', value: 2 },
    ]);
    expect(out).toEqual({ a: { b: 1 }, c: { b: 2 } });
  });
  it('replaces the resourceVersion like kubectl CSA→SSA migration', () => {
    const out = applyJsonPatch({ metadata: { resourceVersion: '5' } }, [{ op: 'replace', path: '/metadata/resourceVersion', value: '5' }]);
    expect(out).toEqual({ metadata: { resourceVersion: '5' } });
  });
  it('replace of a missing member fails', () => {
    failsWith('failed', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]);
  });
  it('remove of a missing member or index fails', () => {
    failsWith('failed', { a: [1] }, [{ op: 'remove', path: '/b' }]);
    failsWith('failed', { a: [1] }, [{ op: 'remove', path: '/a/1' }]);
  });
  it('rejects leading zeros and out-of-range indexes', () => {
    failsWith('failed', { a: [1, 2] }, [{ op: 'add', path: '/a/01', value: 0 }]);
    failsWith('failed', { a: [1, 2] }, [{ op: 'add', path: '/a/3', value: 0 }]);
  });
  it('is all or nothing and never mutates the input', () => {
    const doc = { a: 1 };
    failsWith('failed', doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'test', path: '/a', value: 2 }]);
    expect(doc).toEqual({ a: 1 });
  });
  it('a move into its own child fails', () => {
    failsWith('failed', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]);
  });
  it('add at the root replaces the document', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
  });
  it('malformed documents are reported as malformed', () => {
    failsWith('malformed', {}, { op: 'add' });
    failsWith('malformed', {}, [{ op: 'frobnicate', path: '/a' }]);
    failsWith('malformed', {}, [{ op: 'add', value: 1 }]);
    failsWith('malformed', {}, [{ op: 'add', path: '/a' }]);
    failsWith('malformed', {}, [{ op: 'move', path: '/a' }]);
    failsWith('malformed', {}, [{ op: 'add', path: 'a', value: 1 }]);
  });
});
