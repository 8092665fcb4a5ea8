import { describe, expect, it } from 'vitest';
import type { WatchEvent } from '../api/index.js';
import { encodeLine, sharedWatchEncoder } from './watch-encode.js';

const event = (name: string): WatchEvent => ({ type: 'MODIFIED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: '7' }, data: { k: 'é\u2028' } } });

describe('sharedWatchEncoder', () => {
  it('writes the same bytes as JSON.stringify plus a newline', () => {
    const ev = event('a');
    const line = sharedWatchEncoder('test-bytes', (e) => e)(ev);
    expect(line.equals(Buffer.from(`${JSON.stringify(ev)}\n`, 'utf8'))).toBe(true);
    expect(encodeLine(ev).equals(line)).toBe(true);
  });

  it('serializes an event once per form, shared by every watcher of that form', () => {
    let calls = 0;
    const transform = (e: WatchEvent) => {
      calls++;
      return e;
    };
    const watchers = [sharedWatchEncoder('test-share', transform), sharedWatchEncoder('test-share', transform)];
    const ev = event('a');
    const lines = watchers.map((encode) => encode(ev));
    expect(lines[0]).toBe(lines[1]);
    expect(calls).toBe(1);
    // Another event, or another form, is serialized on its own.
    watchers[0]!(event('a'));
    expect(calls).toBe(2);
    const other = sharedWatchEncoder('test-share-other', (e) => ({ type: e.type, object: { metadata: e.object.metadata } }))(ev);
    expect(JSON.parse(other.toString())).toEqual({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '7' } } });
  });

  it('does not cache BOOKMARK or ERROR events, which are built per watcher', () => {
    let calls = 0;
    const encode = sharedWatchEncoder('test-bookmark', (e) => (calls++, e));
    const bookmark: WatchEvent = { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } };
    encode(bookmark);
    encode(bookmark);
    expect(calls).toBe(2);
  });
});
