import type { Client, EventRecorder, InformerSource } from '../client/index.js';
import type { Clock } from '../util/index.js';

/** A structured logger (pino's shape): fields first, then the message. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a running plugin gets. Everything it does to the cluster goes through `client`. */
export interface PluginContext {
  /** The plugin's name. */
  name: string;
  /** This node's name (--node-name). */
  nodeName: string;
  /**
   * A client acting as the plugin's own user (Plugin.user). For a leader plugin every write carries
   * its Lease and commits only while this node still holds it (fenced writes): after the Lease is
   * lost, writes fail with 409 Conflict and store nothing.
   */
  client: Client;
  /**
   * A client acting as another identity, never fenced: for every-replica plugins that play several
   * actors, as hollow-nodes plays each simulated kubelet as `system:node:<name>` in `system:nodes`.
   */
  clientAs?(name: string, groups: string[]): Client;
  /** The node's shared informers; handlers added here are removed when the plugin stops. */
  informers: InformerSource;
  /** Records events.k8s.io/v1 Events as the plugin (reportingController = Plugin.user's name part). */
  events: EventRecorder;
  log: Logger;
  clock: Clock;
  /** Aborts when the plugin must stop (node shutdown, or the leader plugin lost its Lease). */
  signal: AbortSignal;
}

export type Election = 'leader' | 'every-replica';

/**
 * A control loop hosted by a node. `leader` plugins run on one node at a time, while that node holds
 * the Lease named `lease` (default: the plugin's name) in kube-system; `every-replica` plugins run on
 * every node that enables them. `run` must return promptly once ctx.signal aborts; a run that throws
 * or returns early is restarted with backoff.
 */
export interface Plugin {
  name: string;
  election: Election;
  /** Leader plugins sharing a Lease name are elected together (as kube-controller-manager's controllers are). */
  lease?: string;
  /** The user the plugin's client acts as (default `system:kplane:<name>`). */
  user?: string;
  /** False for plugins that run only when named in --plugins (e.g. hollow-nodes). Default true. */
  defaultEnabled?: boolean;
  run(ctx: PluginContext): Promise<void>;
}

export type PluginState = 'standby' | 'running' | 'backoff' | 'stopped';

/** One plugin's state on this node, for /readyz?verbose and `kplane status`. */
export interface PluginStatus {
  name: string;
  election: Election;
  state: PluginState;
  /** Leader plugins: the Lease and the holder this node last saw ("" = released). */
  lease?: string;
  holder?: string;
  restarts: number;
  lastError?: string;
}
