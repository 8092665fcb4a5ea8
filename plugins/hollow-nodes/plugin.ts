import { isApiError, type KubeObject } from '../../internal/api/index.js';
import { WorkQueue, runWorkers, type Client, type ResourceRef } from '../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../internal/plugin/index.js';
import { DEFAULT_SHAPE, hostIPOf, leaseObject, nodeObject, PodIPs, readyConditions, type HollowNodeShape } from './node-object.js';
import { DEFAULT_TIMING, nextPodAction, type KubeletTiming } from './pod-state.js';
import { pause } from '../shared/pause.js';

const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
const NODE_LEASE_NS = 'kube-node-lease';

export interface HollowNodesOptions {
  /** Nodes this replica plays. */
  count: number;
  /** Node names are `<prefix>-<i>`; default `hollow-<this node's name>`. */
  prefix?: string;
  shape?: Partial<HollowNodeShape>;
  timing?: Partial<KubeletTiming>;
  /** The node Lease's duration (kubelet default 40 s) and how often it is renewed (10 s). */
  leaseDurationSeconds?: number;
  renewIntervalMs?: number;
  /** How often an unchanged NodeStatus is written anyway (kubelet: 5 min). */
  statusReportMs?: number;
  /**
   * Pod status writes in flight; default one per node (at least 32), as each kubelet writes its own
   * pods' status: a fixed few for all nodes capped throughput at workers / write latency.
   */
  workers?: number;
}

/** Simulated kubelets (as kubemark's hollow nodes): every replica that enables it plays its own nodes. */
export function hollowNodesPlugin(opts: HollowNodesOptions): Plugin {
  return { name: 'hollow-nodes', election: 'every-replica', run: (ctx) => new HollowNodes(ctx, opts).run() };
}

type Obj = Record<string, any>;

interface HollowNode {
  name: string;
  index: number;
  client: Client;
  ips: PodIPs;
  hostIP: string;
  lease?: KubeObject;
  lastStatus: number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const microIso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

class HollowNodes {
  private readonly nodes = new Map<string, HollowNode>();
  private readonly shape: HollowNodeShape;
  private readonly timing: KubeletTiming;
  private readonly queue: WorkQueue<string>;

  constructor(
    private readonly ctx: PluginContext,
    private readonly opts: HollowNodesOptions,
  ) {
    this.shape = { ...DEFAULT_SHAPE, ...opts.shape };
    this.timing = { ...DEFAULT_TIMING, ...opts.timing };
    this.queue = new WorkQueue<string>({ clock: ctx.clock, baseDelayMs: 100, maxDelayMs: 10_000 });
    const prefix = opts.prefix ?? `hollow-${ctx.nodeName}`;
    for (let i = 0; i < opts.count; i++) {
      const name = `${prefix}-${i}`;
      this.nodes.set(name, { name, index: i, client: clientFor(ctx, name), ips: new PodIPs(name), hostIP: hostIPOf(name), lastStatus: 0 });
    }
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  async run(): Promise<void> {
    const { informers, signal } = this.ctx;
    const pods = informers.informer(PODS);
    const nodeInformer = informers.informer(NODES);
    const off = pods.addEventHandler({
      onAdd: (p) => this.podEvent(p),
      onUpdate: (_o, p) => this.podEvent(p),
      onDelete: (p) => {
        const node = this.nodes.get(nodeNameOf(p));
        const ip = (p.status as Obj | undefined)?.podIP;
        if (node && ip) node.ips.release(ip);
      },
    });
    try {
      if (!(await informers.waitForCacheSync(signal))) return;
      await this.registerAll(nodeInformer.lister.get.bind(nodeInformer.lister));
      this.ctx.log.info({ nodes: this.nodes.size }, 'hollow nodes registered');
      await Promise.all([this.heartbeats(), runWorkers(this.queue, this.opts.workers ?? Math.max(32, this.nodes.size), signal, (k) => this.reconcile(k), (k, err) => this.ctx.log.debug({ pod: k, err: String(err) }, 'pod sync failed'))]);
    } finally {
      off();
      this.queue.shutDown();
    }
  }

  private podEvent(pod: KubeObject): void {
    const node = this.nodes.get(nodeNameOf(pod));
    if (!node) return;
    const ip = (pod.status as Obj | undefined)?.podIP;
    if (ip) node.ips.mark(ip);
    this.queue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
  }

  private async registerAll(current: (ns: string | undefined, name: string) => KubeObject | undefined): Promise<void> {
    const all = [...this.nodes.values()];
    for (let i = 0; i < all.length && !this.ctx.signal.aborted; i += 50) {
      // A failure (e.g. kube-node-lease not bootstrapped yet on a first start) is retried by the heartbeat.
      await Promise.all(all.slice(i, i + 50).map((n) => this.register(n, current(undefined, n.name)).catch((err) => this.ctx.log.debug({ node: n.name, err: String(err) }, 'node registration failed; retried at the next heartbeat'))));
    }
  }

  /** Creates the Node (or reports it Ready again after a restart) and its Lease. */
  private async register(n: HollowNode, existing: KubeObject | undefined): Promise<void> {
    const now = this.now();
    let node: KubeObject;
    if (!existing) {
      try {
        node = await n.client.create(NODES, undefined, nodeObject(n.name, n.index, this.shape, iso(now)));
      } catch (err) {
        if (!isApiError(err, 'AlreadyExists')) throw err;
        node = await this.reportReady(n, await n.client.get(NODES, undefined, n.name));
      }
    } else node = await this.reportReady(n, existing);
    n.lastStatus = now;
    await this.renewLease(n, node.metadata.uid);
  }

  private async reportReady(n: HollowNode, node: KubeObject): Promise<KubeObject> {
    const conditions = readyConditions(iso(this.now()), (node.status as Obj | undefined)?.conditions);
    n.lastStatus = this.now();
    return n.client.patch(NODES, undefined, n.name, 'strategic', { status: { conditions } }, { subresource: 'status' });
  }

  private async renewLease(n: HollowNode, nodeUid?: string): Promise<void> {
    const duration = this.opts.leaseDurationSeconds ?? 40;
    const renewTime = microIso(this.now());
    if (n.lease) {
      try {
        n.lease = await n.client.update(LEASES, NODE_LEASE_NS, { ...n.lease, spec: { ...(n.lease.spec as Obj), renewTime } });
        return;
      } catch (err) {
        if (!isApiError(err, 'Conflict') && !isApiError(err, 'NotFound')) throw err;
      }
    }
    try {
      n.lease = await n.client.create(LEASES, NODE_LEASE_NS, leaseObject(n.name, nodeUid, renewTime, duration));
    } catch (err) {
      if (!isApiError(err, 'AlreadyExists')) throw err;
      const cur = await n.client.get(LEASES, NODE_LEASE_NS, n.name);
      n.lease = await n.client.update(LEASES, NODE_LEASE_NS, { ...cur, spec: { ...(cur.spec as Obj), holderIdentity: n.name, leaseDurationSeconds: duration, renewTime } });
    }
  }

  /** Renews every node's Lease once per interval, spread evenly over it, and reports NodeStatus when due. */
  private async heartbeats(): Promise<void> {
    const interval = this.opts.renewIntervalMs ?? 10_000;
    const report = this.opts.statusReportMs ?? 5 * 60_000;
    const all = [...this.nodes.values()];
    const nodeLister = this.ctx.informers.informer(NODES).lister;
    const { signal } = this.ctx;
    while (!signal.aborted) {
      const round = this.now();
      for (let i = 0; i < all.length && !signal.aborted; i++) {
        const due = round + (i * interval) / all.length;
        if (due > this.now()) await pause(this.ctx, due - this.now());
        const n = all[i]!;
        const node = nodeLister.get(undefined, n.name);
        const beat = async () => {
          if (!node) return this.register(n, undefined);
          const ready = ((node.status as Obj | undefined)?.conditions as Obj[] | undefined)?.find((c) => c.type === 'Ready')?.status === 'True';
          if (!ready || this.now() - n.lastStatus >= report) await this.reportReady(n, node);
          await this.renewLease(n, node.metadata.uid);
        };
        beat().catch((err) => this.ctx.log.debug({ node: n.name, err: String(err) }, 'heartbeat failed'));
      }
      const next = round + interval;
      if (next > this.now()) await pause(this.ctx, next - this.now());
    }
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const pod = this.ctx.informers.informer(PODS).lister.get(namespace, name);
    if (!pod) return;
    const node = this.nodes.get(nodeNameOf(pod));
    if (!node) return;
    const now = this.now();
    let allocated: string | undefined;
    const action = nextPodAction(pod, now, this.timing, () => (allocated = node.ips.allocate()), node.hostIP);
    try {
      if (action.kind === 'status') {
        await node.client.update(PODS, namespace, { ...pod, status: action.status }, { subresource: 'status' });
      } else if (action.kind === 'delete') {
        await node.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: action.uid } });
        return;
      }
    } catch (err) {
      if (allocated) node.ips.release(allocated);
      if (isApiError(err, 'NotFound')) return;
      if (action.kind === 'delete' && isApiError(err, 'Conflict')) return; // another pod of that name now
      throw err;
    }
    if (action.wakeAt !== undefined) this.queue.addAfter(key, Math.max(0, action.wakeAt - now));
  }
}

function nodeNameOf(pod: KubeObject): string {
  return ((pod.spec as Obj | undefined)?.nodeName as string | undefined) ?? '';
}

/** The kubelet identity of a node (the Node authorizer's shape); the plugin's own where a host cannot switch. */
function clientFor(ctx: PluginContext, node: string): Client {
  return ctx.clientAs?.(`system:node:${node}`, ['system:nodes', 'system:authenticated']) ?? ctx.client;
}
