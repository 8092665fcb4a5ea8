import type { KubeObject } from '../api/index.js';
import type { Handler, UserInfo } from '../registry/index.js';

const SYSTEM: UserInfo = { name: 'system:apiserver', groups: ['system:masters'] };

/**
 * Keeps the stored Services in memory (a list, then a watch from its resourceVersion) so the
 * Service allocator knows which cluster IPs and node ports storage already holds: allocation then
 * survives restarts, and on HA it sees Services created through other replicas.
 */
export class ServiceTracker {
  private readonly services = new Map<string, KubeObject>();

  values(): KubeObject[] {
    return [...this.services.values()];
  }

  /** Lists once (resolves when synced) and keeps watching until the signal aborts. */
  async start(handler: Handler, signal: AbortSignal, onError: (err: unknown) => void): Promise<void> {
    const list = await handler.handle({ user: SYSTEM, group: '', version: 'v1', resource: 'services', verb: 'list', params: {} });
    const body = list.body as { items: KubeObject[]; metadata: { resourceVersion?: string } };
    for (const s of body.items) this.services.set(key(s), s);
    void this.follow(handler, body.metadata.resourceVersion ?? '', signal, onError);
  }

  private async follow(handler: Handler, rv: string, signal: AbortSignal, onError: (err: unknown) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        const w = await handler.watch({ user: SYSTEM, group: '', version: 'v1', resource: 'services', verb: 'watch', params: { resourceVersion: rv, allowWatchBookmarks: true }, signal });
        for await (const ev of w.events) {
          const obj = ev.object as KubeObject;
          if (ev.type === 'ERROR') {
            rv = ''; // expired: relist through a fresh watch from "now", adding what exists
            this.services.clear();
            break;
          }
          if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
          if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.services.set(key(obj), obj);
          else if (ev.type === 'DELETED') this.services.delete(key(obj));
        }
      } catch (err) {
        if (!signal.aborted) onError(err);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
}

function key(o: KubeObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
