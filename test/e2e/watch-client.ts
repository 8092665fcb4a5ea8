import { request } from 'node:https';
import type { AdminCreds } from './ha-harness.js';

/**
 * A watch that resumes as client-go's reflector does: when the connection ends it watches again
 * from the last resourceVersion it saw (through the load balancer, so possibly on another node).
 * Records the names of ADDED objects in order.
 */
export function resumingWatch(creds: AdminCreds, port: number, path: string, fromRv: string) {
  let rv = fromRv;
  let stopped = false;
  let reconnects = -1;
  const added: string[] = [];
  let current: ReturnType<typeof request> | undefined;
  const open = () => {
    if (stopped) return;
    reconnects++;
    let again = false;
    const reopen = () => {
      if (again) return;
      again = true;
      setTimeout(open, 200);
    };
    let buf = '';
    current = request({ host: '127.0.0.1', port, path: `${path}?watch=1&resourceVersion=${rv}`, ...creds, agent: false }, (res) => {
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const ev = JSON.parse(buf.slice(0, i)) as { type: string; object: { metadata: { name: string; resourceVersion: string } } };
          buf = buf.slice(i + 1);
          rv = ev.object.metadata.resourceVersion;
          if (ev.type === 'ADDED') added.push(ev.object.metadata.name);
        }
      });
      res.on('close', reopen);
      res.on('error', () => {});
    });
    current.on('error', reopen);
    current.on('close', reopen);
    current.end();
  };
  open();
  return {
    names: () => [...added],
    reconnects: () => reconnects,
    stop() {
      stopped = true;
      current?.destroy();
    },
  };
}
