import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createClient, createEventRecorder, SharedInformerFactory, SPAM_FILTER_DEFAULTS, type Client } from '../client/index.js';
import { DEFAULT_TIMINGS, LEASE_NAMESPACE, LEASES, LeaseElector, type LeaseTimings } from '../leaderelection/index.js';
import type { Handler, LeaseFence } from '../client/index.js';
import { CONTROLLER_USER_PREFIX, ELECTION_USER, INFORMER_USER, pluginIdentity } from './identity.js';
import { realClock, sleep, type Clock } from '../util/index.js';
import type { Logger, Plugin, PluginContext, PluginState, PluginStatus } from './types.js';

export interface PluginHostOptions {
  plugins: Plugin[];
  /** The registry's verb pipeline: plugins' clients and the informers go through it. */
  handler: Handler;
  nodeName: string;
  timings?: LeaseTimings;
  clock?: Clock;
  log: Logger & { child?(bindings: object): Logger };
  /** After a plugin's signal aborted, how long stop waits for its run to return before moving on (default 5 s). */
  stopGraceMs?: number;
  /** Pause before restarting a plugin whose run failed: doubles from this (default 1 s) up to 30 s. */
  restartBackoffMs?: number;
}

interface Slot {
  plugin: Plugin;
  state: PluginState;
  restarts: number;
  lastError?: string;
  elector?: LeaseElector;
}


/**
 * Runs a node's plugins: every-replica plugins at once, leader plugins while this node holds their
 * Lease (one LeaseElector per Lease name, fed by one informer on kube-system's Leases). A plugin whose
 * Lease is lost sees its signal abort and is awaited (bounded by stopGraceMs); it starts again
 * when the Lease comes back. stop() aborts everything and releases held Leases.
 */
export class PluginHost {
  readonly informers: SharedInformerFactory;
  /** Holder identities are the node name plus a random suffix, as client-go's are. */
  readonly identity: string;
  private readonly stopper = new AbortController();
  private readonly slots: Slot[];
  private readonly electors = new Map<string, LeaseElector>();
  private readonly runs: Promise<void>[] = [];
  private readonly clock: Clock;
  private readonly timings: LeaseTimings;

  get nodeName(): string {
    return this.opts.nodeName;
  }

  constructor(private readonly opts: PluginHostOptions) {
    this.clock = opts.clock ?? realClock;
    this.timings = opts.timings ?? DEFAULT_TIMINGS;
    this.identity = `${opts.nodeName}_${randomBytes(4).toString('hex')}`;
    // Each elector and plugin run listens on this signal while it runs and removes its listener when
    // done: their number is bounded by the plugins, not a leak (Node warns from 11 on). Likewise
    // the leading signal of a Lease below.
    setMaxListeners(0, this.stopper.signal);
    const informerClient = createClient(opts.handler, pluginIdentity(INFORMER_USER), { userAgent: 'kplane-informers' });
    this.informers = new SharedInformerFactory(informerClient, this.stopper.signal, {
      clock: this.clock,
      log: (msg, err) => opts.log.warn({ err: String(err) }, msg),
    });
    this.slots = opts.plugins.map((plugin) => ({ plugin, state: 'stopped', restarts: 0 }));
  }

  /** Starts every plugin (leader plugins campaign for their Lease). */
  start(): void {
    const leaseClient = createClient(this.opts.handler, pluginIdentity(ELECTION_USER), { userAgent: 'kplane-leader-election' });
    const groups = new Map<string, Slot[]>();
    for (const slot of this.slots) {
      if (slot.plugin.election === 'every-replica') {
        this.runs.push(this.supervise(slot, this.stopper.signal, () => null));
        continue;
      }
      const lease = slot.plugin.lease ?? slot.plugin.name;
      groups.set(lease, [...(groups.get(lease) ?? []), slot]);
    }
    if (groups.size === 0) return;
    for (const [lease, members] of groups) {
      const elector = new LeaseElector({
        ...this.timings,
        client: leaseClient,
        name: lease,
        identity: this.identity,
        clock: this.clock,
        log: (msg, fields) => this.opts.log.info({ ...fields }, msg),
      });
      this.electors.set(lease, elector);
      for (const s of members) {
        s.elector = elector;
        s.state = 'standby';
      }
      const fence = () => {
        const f = elector.fence();
        return f ? { ...f } : null;
      };
      this.runs.push(
        elector.run(this.stopper.signal, async (leading) => {
          // Shared by every plugin of the Lease (kube-controller-manager has a dozen), each listening.
          setMaxListeners(0, leading);
          await Promise.all(members.map((s) => this.supervise(s, leading, fence)));
          for (const s of members) s.state = 'standby';
        }),
      );
    }
    // Electors learn of Lease changes from the informer at once (a release, another holder).
    this.informers.informer(LEASES, LEASE_NAMESPACE).addEventHandler({
      onAdd: (l) => this.electors.get(l.metadata.name ?? '')?.observe(l),
      onUpdate: (_o, l) => this.electors.get(l.metadata.name ?? '')?.observe(l),
      onDelete: (l) => this.electors.get(l.metadata.name ?? '')?.observe(undefined),
    });
  }

  status(): PluginStatus[] {
    return this.slots.map((s) => {
      const out: PluginStatus = { name: s.plugin.name, election: s.plugin.election, state: s.state, restarts: s.restarts };
      if (s.elector) {
        out.lease = s.plugin.lease ?? s.plugin.name;
        const holder = s.elector.isLeader() ? s.elector.identity : s.elector.observedHolder();
        if (holder !== undefined) out.holder = holder;
      }
      if (s.lastError) out.lastError = s.lastError;
      return out;
    });
  }

  /** Stops every plugin, waits for them (bounded), releases held Leases, stops the informers. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await Promise.all(this.runs);
    await this.informers.stopped();
  }

  /** Runs one plugin until the signal aborts, restarting it with backoff when run fails or returns early. */
  private async supervise(slot: Slot, signal: AbortSignal, fence: () => LeaseFence | null): Promise<void> {
    const p = slot.plugin;
    const user = pluginIdentity(p.user ?? `system:kplane:${p.name}`);
    const log = this.opts.log.child?.({ plugin: p.name }) ?? this.opts.log;
    const client: Client = createClient(this.opts.handler, user, { userAgent: `${p.name}/kplane`, ...(p.election === 'leader' ? { fence } : {}) });
    let backoff = this.opts.restartBackoffMs ?? 1000;
    while (!signal.aborted) {
      const ctx: PluginContext = {
        name: p.name,
        nodeName: this.opts.nodeName,
        client,
        clientAs: (name, groups) => createClient(this.opts.handler, pluginIdentity(name, groups), { userAgent: `${p.name}/kplane` }),
        informers: this.informers.scoped(signal),
        events: createEventRecorder(client, {
          reportingController: user.name.replace(/^system:(kplane:)?/, ''),
          reportingInstance: this.identity,
          clock: this.clock,
          log: (msg, err) => log.warn({ err: String(err) }, msg),
          // kube-controller-manager's controllers record through client-go's legacy recorder, whose
          // spam filter keeps 25 events per object (then one per 5 minutes); the scheduler's events
          // API recorder has none.
          ...(user.name.startsWith(CONTROLLER_USER_PREFIX) ? { spamFilter: SPAM_FILTER_DEFAULTS } : {}),
        }),
        log,
        clock: this.clock,
        signal,
      };
      slot.state = 'running';
      log.info({ election: p.election }, 'plugin started');
      const run = p.run(ctx).then(
        () => undefined,
        (err: unknown) => err,
      );
      const err = await this.untilStopped(run, signal, log);
      if (signal.aborted) break;
      slot.restarts++;
      slot.lastError = err === undefined ? 'run returned before its signal aborted' : String(err);
      slot.state = 'backoff';
      log.error({ err: slot.lastError, restartInMs: backoff }, 'plugin stopped unexpectedly; restarting');
      await sleep(backoff, signal).catch(() => undefined);
      backoff = Math.min(backoff * 2, 30_000);
    }
    slot.state = p.election === 'leader' ? 'standby' : 'stopped';
  }

  /** run's outcome; once the signal aborted, waits at most stopGraceMs for it (a leader's late writes are fenced anyway). */
  private untilStopped(run: Promise<unknown>, signal: AbortSignal, log: Logger): Promise<unknown> {
    return new Promise((resolve) => {
      let cancel: (() => void) | undefined;
      const onAbort = () => {
        cancel = this.clock.setTimeout(() => {
          log.error({ graceMs: this.opts.stopGraceMs ?? 5000 }, 'plugin did not return after its signal aborted; leaving it behind');
          resolve(undefined);
        }, this.opts.stopGraceMs ?? 5000);
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      void run.then((err) => {
        cancel?.();
        signal.removeEventListener('abort', onAbort);
        resolve(err);
      });
    });
  }
}
