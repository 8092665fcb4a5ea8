import type { Clock } from '../util/index.js';
import type { Client, ResourceRef } from './client.js';
import type { IndexFunc, Lister } from './indexer.js';
import { SharedInformer, type EventHandler } from './informer.js';

/** What a consumer sees of a shared informer: its cache and its handlers (not its lifecycle). */
export interface Informer {
  readonly ref: ResourceRef;
  readonly lister: Lister;
  addIndexer(name: string, fn: IndexFunc): void;
  /** Returns a function that removes the handler. */
  addEventHandler(h: EventHandler, opts?: { resyncMs?: number }): () => void;
  hasSynced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<boolean>;
}

/** Informers by resource, as a plugin uses them. */
export interface InformerSource {
  /** The shared informer of a resource (all namespaces unless one is given); started on first use. */
  informer(ref: ResourceRef, namespace?: string): Informer;
  /** Resolves true once every informer handed out so far has synced (false if the signal aborts). */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean>;
}

export interface SharedInformerFactoryOptions {
  clock?: Clock;
  retryMs?: number;
  log?: (msg: string, err?: unknown) => void;
}

/**
 * One informer per resource (and namespace) per process, shared by every plugin on the node. An
 * informer starts when first asked for and runs until the factory's signal aborts. Its list and
 * watch go through the in-process client, so they are served from the API server's watch cache and
 * the cached objects (frozen there) are shared, not copied per informer.
 */
export class SharedInformerFactory implements InformerSource {
  private readonly informers = new Map<string, SharedInformer>();
  private readonly runs: Promise<void>[] = [];

  constructor(
    private readonly client: Client,
    private readonly signal: AbortSignal,
    private readonly opts: SharedInformerFactoryOptions = {},
  ) {}

  informer(ref: ResourceRef, namespace?: string): SharedInformer {
    const key = `${ref.group}/${ref.version}/${ref.resource}/${namespace ?? ''}`;
    const have = this.informers.get(key);
    if (have) return have;
    const inf = new SharedInformer(this.client, ref, { ...this.opts, namespace });
    this.informers.set(key, inf);
    // An informer whose resource stopped being served is forgotten: asking again starts a new one.
    const forget = () => void (this.informers.get(key) === inf && inf.isGone() && this.informers.delete(key));
    if (!this.signal.aborted) this.runs.push(inf.run(this.signal).then(forget));
    return inf;
  }

  /** One abort listener for the whole wait, not one per informer (a plugin may use dozens). */
  waitForCacheSync(signal: AbortSignal = this.signal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    const all = Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      void all.then((synced) => {
        signal.removeEventListener('abort', onAbort);
        resolve(synced.every(Boolean));
      });
    });
  }

  /**
   * A view for one consumer: its handlers are removed when its signal aborts (a plugin that lost its
   * Lease). One abort listener per view, however many handlers (the garbage collector adds one per
   * served resource).
   */
  scoped(signal: AbortSignal): InformerSource {
    const removers = new Set<() => void>();
    if (!signal.aborted) signal.addEventListener('abort', () => removers.forEach((r) => r()), { once: true });
    const wrap = (inf: SharedInformer): Informer => ({
      ref: inf.ref,
      lister: inf.lister,
      addIndexer: (name, fn) => inf.addIndexer(name, fn),
      addEventHandler: (h, opts) => {
        if (signal.aborted) return () => undefined;
        const remove = inf.addEventHandler(h, opts);
        removers.add(remove);
        return () => {
          removers.delete(remove);
          remove();
        };
      },
      hasSynced: () => inf.hasSynced(),
      waitForSync: (s) => inf.waitForSync(s ?? signal),
    });
    return {
      informer: (ref, namespace) => wrap(this.informer(ref, namespace)),
      waitForCacheSync: (s) => this.waitForCacheSync(s ?? signal),
    };
  }

  /** Resolves when every informer's loop has returned (after the factory's signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.runs);
  }
}
