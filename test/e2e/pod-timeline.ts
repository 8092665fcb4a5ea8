import { request } from 'node:https';
import type { AdminCreds } from './ha-harness.js';

/** One pod as the timeline saw it first (creation) and last. */
export interface PodRecord {
  name: string;
  /** The owning ReplicaSet (controller ownerReference), "" for none. */
  owner: string;
  /** When its ADDED event arrived (ms since the epoch, the test's clock). */
  addedAt: number;
  readyAt?: number;
  deletedAt?: number;
}

/**
 * Every pod of a namespace over time, from a watch that resumes from the last resourceVersion it
 * saw when its connection ends (through HAProxy, so possibly on another node), as client-go's
 * reflector does. A pod created and deleted between two polls would be missed by listing; a watch
 * sees it.
 */
export function podTimeline(creds: AdminCreds, port: number, namespace: string, fromRv = '0') {
  const pods = new Map<string, PodRecord>();
  let rv = fromRv;
  let stopped = false;
  /** Watches restarted from "0" after a 410: a pod created and deleted in such a gap is not seen. */
  let relists = 0;
  let current: ReturnType<typeof request> | undefined;
  const onEvent = (type: string, o: PodObject) => {
    const now = Date.now();
    const name = o.metadata.name;
    let p = pods.get(name);
    if (!p) {
      p = { name, owner: o.metadata.ownerReferences?.find((r) => r.controller)?.name ?? '', addedAt: now };
      pods.set(name, p);
    }
    const ready = o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready && p.readyAt === undefined) p.readyAt = now;
    if ((type === 'DELETED' || o.metadata.deletionTimestamp) && p.deletedAt === undefined) p.deletedAt = now;
  };
  const open = () => {
    if (stopped) return;
    let again = false;
    const reopen = () => {
      if (again || stopped) return;
      again = true;
      setTimeout(open, 200);
    };
    let buf = '';
    current = request({ host: '127.0.0.1', port, path: `/api/v1/namespaces/${namespace}/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}`, ...creds, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reopen();
      }
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const ev = JSON.parse(buf.slice(0, i)) as { type: string; object: PodObject };
          buf = buf.slice(i + 1);
          // 410 (this node's history starts after rv, e.g. it restarted): watch again from "0",
          // which starts with every current pod as ADDED, as a reflector's relist does.
          if (ev.type === 'ERROR') {
            rv = '0';
            relists++;
            continue;
          }
          rv = ev.object.metadata.resourceVersion;
          if (ev.type !== 'BOOKMARK') onEvent(ev.type, ev.object);
        }
      });
      res.on('close', reopen);
      res.on('error', () => undefined);
    });
    current.on('error', reopen);
    current.on('close', reopen);
    current.end();
  };
  open();
  return {
    pods,
    relists: () => relists,
    /** Pods per owning ReplicaSet. */
    byOwner(): Map<string, PodRecord[]> {
      const out = new Map<string, PodRecord[]>();
      for (const p of pods.values()) out.set(p.owner, [...(out.get(p.owner) ?? []), p]);
      return out;
    },
    /** The most pods of one owner alive (added, not deleted) at the same time. */
    peakAlive(owner: string): number {
      const edges = [...pods.values()].filter((p) => p.owner === owner).flatMap((p) => [[p.addedAt, 1] as const, ...(p.deletedAt !== undefined ? [[p.deletedAt, -1] as const] : [])]);
      edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let n = 0;
      let peak = 0;
      for (const [, d] of edges) peak = Math.max(peak, (n += d));
      return peak;
    },
    stop() {
      stopped = true;
      current?.destroy();
    },
  };
}

interface PodObject {
  metadata: { name: string; resourceVersion: string; deletionTimestamp?: string; ownerReferences?: { name: string; controller?: boolean }[] };
  status?: { conditions?: { type: string; status: string }[] };
}
