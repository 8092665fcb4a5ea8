import { isApiError, type KubeObject } from '../../internal/api/index.js';
import type { ResourceRef } from '../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../internal/plugin/index.js';
import type { Rand } from '../../internal/util/index.js';
import { SchedulerCache } from './cache.js';
import { podInfoOf, type PodInfo } from './pod-info.js';
import { preempt, type PdbInfo } from './preemption.js';
import { SchedulingQueue, type QueuedPod } from './queue.js';
import { fitErrorMessage, schedulePod } from './schedule.js';
import { selectorQuery } from './snapshot.js';

export const PODS: ResourceRef = { group: '', version: 'v1', resource: 'pods' };
const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes' };
const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces' };
const PDBS: ResourceRef = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets' };

export const SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  /** 0 = upstream's adaptive default. */
  percentageOfNodesToScore?: number;
  /** Bindings written concurrently (the cycle goes on while they are stored). */
  maxInFlightBindings?: number;
  /** Milliseconds of scheduling between yields to the event loop. */
  sliceMs?: number;
  rand?: Rand;
}

/** The scheduler: one leader at a time (Lease kube-system/kube-scheduler, as upstream). */
export function schedulerPlugin(opts: SchedulerOptions = {}): Plugin {
  return {
    name: 'scheduler',
    election: 'leader',
    lease: 'kube-scheduler',
    user: 'system:kube-scheduler',
    run: (ctx) => new Scheduler(ctx, opts).run(),
  };
}

type Obj = Record<string, any>;

function isTerminal(pod: KubeObject): boolean {
  const phase = (pod.status as Obj | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function nodeNameOf(pod: KubeObject): string {
  return ((pod.spec as Obj | undefined)?.nodeName as string | undefined) ?? '';
}

function nominatedNodeOf(pod: KubeObject): string {
  return ((pod.status as Obj | undefined)?.nominatedNodeName as string | undefined) ?? '';
}

function isOurs(pod: KubeObject): boolean {
  return ((pod.spec as Obj | undefined)?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;
}

/** The parts of a Node that change what fits on it (heartbeats change none of these). */
function schedulingView(node: KubeObject): string {
  const spec: Obj = (node.spec as Obj) ?? {};
  return JSON.stringify([node.metadata.labels, spec.taints, spec.unschedulable, (node.status as Obj | undefined)?.allocatable]);
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a.spec) !== JSON.stringify(b.spec) || JSON.stringify(a.metadata.labels) !== JSON.stringify(b.metadata.labels);
}

class Scheduler {
  private readonly cache = new SchedulerCache();
  private readonly queue = new SchedulingQueue();
  private start = 0;
  private wake: (() => void) | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly ctx: PluginContext,
    private readonly opts: SchedulerOptions,
  ) {}

  private now(): number {
    return this.ctx.clock.now();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async run(): Promise<void> {
    const { informers, signal } = this.ctx;
    const pods = informers.informer(PODS);
    const nodes = informers.informer(NODES);
    const namespaces = informers.informer(NAMESPACES);
    informers.informer(PDBS);
    const off = [
      nodes.addEventHandler({
        onAdd: (n) => this.nodeChanged(n),
        onUpdate: (o, n) => (schedulingView(o) === schedulingView(n) ? this.cache.setNode(n) : this.nodeChanged(n)),
        onDelete: (n) => this.cache.deleteNode(n.metadata.name ?? ''),
      }),
      namespaces.addEventHandler({ onAdd: (n) => this.cache.setNamespace(n), onUpdate: (_o, n) => this.cache.setNamespace(n), onDelete: (n) => this.cache.deleteNamespace(n.metadata.name ?? '') }),
      pods.addEventHandler({ onAdd: (p) => this.podSeen(p), onUpdate: (o, p) => this.podSeen(p, o), onDelete: (p) => this.podGone(p) }),
    ];
    try {
      if (!(await informers.waitForCacheSync(signal))) return;
      this.ctx.log.info({ nodes: this.cache.nodes.length, pending: this.queue.stats().active }, 'scheduler started');
      await this.loop();
    } finally {
      for (const f of off) f();
      this.notify();
    }
  }

  private nodeChanged(node: KubeObject): void {
    this.cache.setNode(node);
    this.queue.moveAllToActiveOrBackoff(this.now());
    this.notify();
  }

  /** A pod added or updated (`old` given); only a changed spec or labels retries an unschedulable pod. */
  private podSeen(pod: KubeObject, old?: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const node = nodeNameOf(pod);
    if (node) {
      this.cache.nominator.delete(key);
      this.queue.delete(key);
      if (isTerminal(pod)) this.podGone(pod);
      else this.cache.addPod(podInfoOf(pod));
      return;
    }
    if (!isOurs(pod) || this.cache.isAssumed(key)) return;
    if (isTerminal(pod) || pod.metadata.deletionTimestamp) {
      this.cache.nominator.delete(key);
      this.queue.delete(key);
      return;
    }
    const changed = !old || specChanged(old, pod);
    const info = podInfoOf(pod);
    // A nomination this scheduler made is kept until the pod shows one or shows it cleared.
    const nominated = nominatedNodeOf(pod);
    if (nominated || (old && nominatedNodeOf(old))) this.cache.nominator.nominate(info, nominated);
    this.queue.add(info, this.now(), changed);
    if (changed) this.notify();
  }

  private podGone(pod: KubeObject): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.cache.nominator.delete(key);
    this.queue.delete(key);
    if (this.cache.nodeOf(key) === undefined) return;
    this.cache.removePod(key);
    this.queue.moveAllToActiveOrBackoff(this.now());
    this.notify();
  }

  private async loop(): Promise<void> {
    const { signal } = this.ctx;
    const max = this.opts.maxInFlightBindings ?? 256;
    const slice = this.opts.sliceMs ?? 10;
    let sliceStart = performance.now();
    while (!signal.aborted) {
      const q = this.queue.pop(this.now());
      if (!q) {
        await this.idle();
        sliceStart = performance.now();
        continue;
      }
      this.scheduleOne(q);
      if (this.inflight.size >= max) await Promise.race(this.inflight);
      // Let informer events and bindings through once per slice. A fixed count of pods per turn of
      // the event loop would tie throughput to how long each turn takes on a busy server (every
      // request, commit and watch write of that turn), not to what scheduling costs.
      if (performance.now() - sliceStart >= slice) {
        await new Promise((r) => setImmediate(r));
        sliceStart = performance.now();
      }
    }
  }

  /** Sleeps until an event adds work or the next backoff expires. */
  private async idle(): Promise<void> {
    const at = this.queue.nextReadyAt();
    await new Promise<void>((resolve) => {
      let cancel: (() => void) | undefined;
      const done = () => {
        cancel?.();
        this.ctx.signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      this.ctx.signal.addEventListener('abort', done, { once: true });
      if (at !== undefined) cancel = this.ctx.clock.setTimeout(done, Math.max(1, at - this.now()));
    });
  }

  private scheduleOne(q: QueuedPod): void {
    const info = q.info;
    if (this.cache.nodes.length === 0) {
      this.failed(q, 'no nodes available to schedule pods');
      return;
    }
    const r = schedulePod(info, this.cache, { start: this.start, rand: this.opts.rand ?? Math.random, percentageOfNodesToScore: this.opts.percentageOfNodesToScore });
    this.start = r.nextStart;
    if ('nodeName' in r) {
      this.cache.nominator.delete(info.key);
      this.cache.assume(info, r.nodeName);
      this.track(this.bind(q, r.nodeName));
      return;
    }
    let post: string | undefined;
    const p = preempt(info, this.cache, r.diagnosis, this.pdbs(), this.cache.nominator.nominatedNode(info.key));
    if ('candidate' in p) {
      const node = p.candidate.nodeName;
      // Lower-priority pods nominated there lose their nomination: the room is the preemptor's.
      const displaced = [...this.cache.nominator.podsOn(node)].filter((o) => o.priority < info.priority);
      for (const o of displaced) this.cache.nominator.delete(o.key);
      this.cache.nominator.nominate(info, node);
      this.track(this.evictVictims(info, node, p.candidate.victims, displaced));
    } else post = p.message;
    this.failed(q, fitErrorMessage(r.diagnosis, post));
  }

  private pdbs(): PdbInfo[] {
    return this.ctx.informers
      .informer(PDBS)
      .lister.list()
      .map((b) => ({ namespace: b.metadata.namespace ?? '', selector: selectorQuery((b.spec as Obj | undefined)?.selector), disruptionsAllowed: (b.status as Obj | undefined)?.disruptionsAllowed ?? 0 }));
  }

  private track(p: Promise<void>): void {
    const t = p.finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  private async bind(q: QueuedPod, nodeName: string): Promise<void> {
    const { namespace, name, pod } = q.info;
    try {
      const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid: q.info.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } };
      await this.ctx.client.create(PODS, namespace, binding as KubeObject, { subresource: 'binding', name });
      this.queue.done(q);
      this.ctx.events.event(pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
    } catch (err) {
      if (this.ctx.signal.aborted) return;
      this.cache.removePod(q.info.key);
      if (isApiError(err, 'NotFound')) {
        this.queue.delete(q.info.key);
        return;
      }
      this.ctx.log.warn({ pod: q.info.key, node: nodeName, err: String(err) }, 'binding failed');
      this.queue.retry(q, this.now());
      this.notify();
    }
  }

  private failed(q: QueuedPod, message: string): void {
    this.queue.unschedulable(q, this.now());
    const pod = q.info.pod;
    this.ctx.events.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', message);
    const cond = ((pod.status as Obj | undefined)?.conditions as Obj[] | undefined)?.find((c) => c.type === 'PodScheduled');
    if (cond?.status === 'False' && cond.message === message) return;
    const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    this.track(
      this.ctx.client
        .patch(PODS, q.info.namespace, q.info.name, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' })
        .then(
          () => undefined,
          (err) => this.ctx.log.debug({ pod: q.info.key, err: String(err) }, 'could not record PodScheduled=False'),
        ),
    );
  }

  /** Nominates the node for the preemptor and deletes the victims (upstream's preemption execution). */
  private async evictVictims(pod: PodInfo, nodeName: string, victims: PodInfo[], displaced: PodInfo[]): Promise<void> {
    const { client, events } = this.ctx;
    try {
      await client.patch(PODS, pod.namespace, pod.name, 'merge', { status: { nominatedNodeName: nodeName } }, { subresource: 'status' });
      for (const o of displaced) {
        await client.patch(PODS, o.namespace, o.name, 'merge', { status: { nominatedNodeName: null } }, { subresource: 'status' }).catch(() => undefined);
      }
      await Promise.all(
        victims.map(async (v) => {
          const condition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: `${SCHEDULER_NAME}: preempting to accommodate a higher priority pod`, lastTransitionTime: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
          await client.patch(PODS, v.namespace, v.name, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' }).catch(() => undefined);
          await client.delete(PODS, v.namespace, v.name, { preconditions: { uid: v.uid } });
          events.event(v.pod, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${pod.uid} on node ${nodeName}`, pod.pod);
        }),
      );
    } catch (err) {
      if (!isApiError(err, 'NotFound')) this.ctx.log.warn({ pod: pod.key, err: String(err) }, 'preemption failed');
    }
  }
}
