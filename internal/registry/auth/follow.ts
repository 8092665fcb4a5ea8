import type { KubeObject } from '../../api/index.js';
import type { Handler } from '../request.js';
import type { UserInfo } from '../strategy.js';

const APISERVER: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };

export interface FollowSink {
  /** Called before the first list and again after a watch expired (the caller drops what it held). */
  reset(): void;
  put(obj: KubeObject): void;
  delete(obj: KubeObject): void;
}

/**
 * Keeps `sink` in step with one resource through the verb pipeline, as the apiserver itself: a list
 * (resolved once synced), then a watch from its resourceVersion that relists on expiry and retries
 * after errors until the signal aborts.
 */
export async function followResource(
  handler: Handler,
  ref: { group: string; version: string; resource: string },
  sink: FollowSink,
  signal: AbortSignal,
  onError: (err: unknown) => void,
): Promise<void> {
  const list = async () => {
    const res = await handler.handle({ user: APISERVER, ...ref, verb: 'list', params: { resourceVersion: '0' } });
    const body = res.body as { items: KubeObject[]; metadata: { resourceVersion?: string } };
    sink.reset();
    for (const o of body.items) sink.put(o);
    return body.metadata.resourceVersion ?? '';
  };
  let rv = await list();
  void (async () => {
    while (!signal.aborted) {
      try {
        if (rv === '') rv = await list();
        const w = await handler.watch({ user: APISERVER, ...ref, verb: 'watch', params: { resourceVersion: rv, allowWatchBookmarks: true }, signal });
        for await (const ev of w.events) {
          const obj = ev.object as KubeObject;
          if (ev.type === 'ERROR') {
            rv = '';
            break;
          }
          if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') sink.put(obj);
          else if (ev.type === 'DELETED') sink.delete(obj);
        }
      } catch (err) {
        if (signal.aborted) return;
        onError(err);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
}
