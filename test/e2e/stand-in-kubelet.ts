import { readFileSync } from 'node:fs';
import { request } from 'node:https';

type Obj = Record<string, any>;

/** A tiny admin HTTPS client from a kubeconfig (client certificate auth), for test fixtures. */
export function apiClient(kubeconfig: string) {
  const text = readFileSync(kubeconfig, 'utf8');
  const field = (k: string) => Buffer.from(new RegExp(`${k}: (\\S+)`).exec(text)![1]!, 'base64');
  const server = new URL(/server: (\S+)/.exec(text)![1]!);
  const tls = { ca: field('certificate-authority-data'), cert: field('client-certificate-data'), key: field('client-key-data') };
  return (method: string, path: string, body?: unknown, type = 'application/json'): Promise<{ status: number; body: Obj }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: server.hostname, port: server.port, path, method, ...tls, headers: { 'content-type': type, accept: 'application/json' } }, (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? (JSON.parse(data) as Obj) : {} }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
}

/**
 * A stand-in for nodes in workload e2e tests until simulated nodes exist: registers Ready nodes
 * and, every `periodMs`, moves pods as a kubelet would (Pending → Running and Ready; a
 * run-to-completion pod Succeeded after `runMs`; a terminating pod deleted). It writes only
 * through the API, as a kubelet does.
 */
export function standInKubelet(kubeconfig: string, nodes: { name: string; taints?: Obj[] }[], opts: { periodMs?: number; runMs?: number } = {}) {
  const api = apiClient(kubeconfig);
  const runMs = opts.runMs ?? 1000;
  let stopped = false;
  const iso = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const step = async () => {
    const pods = (await api('GET', '/api/v1/pods')).body.items as Obj[];
    await Promise.all(
      pods.map(async (p) => {
        const path = `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`;
        const phase = p.status?.phase ?? 'Pending';
        if (p.metadata.deletionTimestamp) return api('DELETE', path, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
        const containers = (p.spec.containers as Obj[]).map((c) => c.name as string);
        if (phase === 'Pending') {
          const now = iso();
          const status = {
            phase: 'Running',
            startTime: now,
            podIP: '10.244.0.10',
            conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: now })),
            containerStatuses: containers.map((name) => ({ name, ready: true, started: true, restartCount: 0, image: 'img', imageID: 'img', state: { running: { startedAt: now } } })),
          };
          return api('PATCH', `${path}/status`, { status }, 'application/merge-patch+json');
        }
        if (phase === 'Running' && p.spec.restartPolicy !== 'Always' && Date.now() - Date.parse(p.status.startTime) >= runMs) {
          const now = iso();
          const status = {
            phase: 'Succeeded',
            conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: type === 'PodScheduled' || type === 'Initialized' ? 'True' : 'False', lastTransitionTime: now })),
            containerStatuses: containers.map((name) => ({ name, ready: false, started: false, restartCount: 0, image: 'img', imageID: 'img', state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: p.status.startTime, finishedAt: now } } })),
          };
          return api('PATCH', `${path}/status`, { status }, 'application/merge-patch+json');
        }
        return undefined;
      }),
    );
  };
  const started = (async () => {
    for (const n of nodes) {
      const now = iso();
      await api('POST', '/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name } },
        spec: n.taints ? { taints: n.taints } : {},
        status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady', message: 'stand-in kubelet' }] },
      });
    }
    while (!stopped) {
      await step().catch(() => undefined);
      await new Promise((r) => setTimeout(r, opts.periodMs ?? 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await started;
    },
  };
}
