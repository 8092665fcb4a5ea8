import { apiErrors, type KubeObject, type WatchEvent } from '../../api/index.js';
import type {
  ApiRequest,
  ApiResponse,
  Handler,
  ResourceCatalog,
  ResourceDefinition,
  ResourceStrategy,
  WatchResponse,
} from '../../registry/index.js';

/**
 * Test doubles for the apiserver: a catalog of a few definitions and an in-memory Handler that
 * records requests and can stream watch events. Just enough behaviour to exercise HTTP shapes.
 */

const strategy = (namespaced: boolean): ResourceStrategy => ({
  namespaced,
  prepareForCreate: () => undefined,
  validate: () => [],
  prepareForUpdate: () => undefined,
  validateUpdate: () => [],
  allowCreateOnUpdate: false,
  allowUnconditionalUpdate: true,
});

export function def(partial: Partial<ResourceDefinition> & Pick<ResourceDefinition, 'kind' | 'plural'>): ResourceDefinition {
  const namespaced = partial.namespaced ?? true;
  return {
    group: '',
    version: 'v1',
    listKind: `${partial.kind}List`,
    singular: partial.kind.toLowerCase(),
    namespaced,
    strategy: strategy(namespaced),
    ...partial,
  };
}

export function fakeDefinitions(): ResourceDefinition[] {
  return [
    def({
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: [
        { name: 'finalize', verbs: ['update'] },
        { name: 'status', verbs: ['get', 'patch', 'update'] },
      ],
      columns: [
        { name: 'Name', type: 'string', format: 'name', priority: 0, cell: (o) => o.metadata.name ?? '' },
        { name: 'Status', type: 'string', priority: 0, cell: (o) => ((o.status as { phase?: string })?.phase ?? '') },
        { name: 'Age', type: 'string', priority: 0, cell: () => '1m' },
      ],
    }),
    def({ kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] }),
    def({
      kind: 'Pod',
      plural: 'pods',
      shortNames: ['po'],
      categories: ['all'],
      subresources: [
        { name: 'binding', verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
        { name: 'eviction', verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
        { name: 'exec', verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
        { name: 'log', verbs: ['get'] },
        { name: 'status', verbs: ['get', 'patch', 'update'] },
      ],
    }),
    def({
      group: 'apps',
      kind: 'Deployment',
      plural: 'deployments',
      shortNames: ['deploy'],
      categories: ['all'],
      subresources: [
        { name: 'scale', verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
        { name: 'status', verbs: ['get', 'patch', 'update'] },
      ],
      columns: [{ name: 'Ready', type: 'string', priority: 0, cell: () => '0/1' }, { name: 'Images', type: 'string', priority: 1, cell: () => 'nginx' }],
    }),
    def({ group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'] }),
    def({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'] }),
  ];
}

/** A catalog whose definitions can be changed at run time, like CRDs. */
export class FakeCatalog implements ResourceCatalog {
  #listeners = new Set<() => void>();
  constructor(public defs: ResourceDefinition[] = fakeDefinitions()) {}
  definitions(): ResourceDefinition[] {
    return this.defs;
  }
  lookup(group: string, version: string, resource: string): ResourceDefinition | undefined {
    return this.defs.find((d) => d.group === group && d.version === version && d.plural === resource);
  }
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  set(defs: ResourceDefinition[]): void {
    this.defs = defs;
    for (const l of this.#listeners) l();
  }
}

/** An async queue the test pushes watch events into; ends on close() or abort. */
export class EventChannel implements AsyncIterable<WatchEvent> {
  #buf: WatchEvent[] = [];
  #waiting?: (r: IteratorResult<WatchEvent>) => void;
  #closed = false;
  constructor(signal?: AbortSignal) {
    signal?.addEventListener('abort', () => this.close(), { once: true });
  }
  push(ev: WatchEvent): void {
    if (this.#closed) return;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w({ value: ev, done: false });
    } else this.#buf.push(ev);
  }
  close(): void {
    this.#closed = true;
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.({ value: undefined, done: true });
  }
  get closed(): boolean {
    return this.#closed;
  }
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: () => {
        const ev = this.#buf.shift();
        if (ev) return Promise.resolve({ value: ev, done: false });
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((r) => (this.#waiting = r));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

type WatchRequest = Extract<ApiRequest, { verb: 'watch' }>;

/** In-memory handler: objects by key, a global resourceVersion, recorded requests and watches. */
export class FakeHandler implements Handler {
  readonly requests: ApiRequest[] = [];
  readonly watches: { req: WatchRequest; channel: EventChannel }[] = [];
  readonly objects = new Map<string, KubeObject>();
  rv = 10;
  /** Set to make the next handle() call throw this. */
  failWith?: unknown;
  /** Warnings attached to every write response. */
  warnings?: string[];

  #key(r: { group: string; resource: string; namespace?: string; name?: string }): string {
    return `${r.group}/${r.resource}/${r.namespace ?? ''}/${r.name ?? ''}`;
  }

  seed(group: string, resource: string, obj: KubeObject): void {
    this.objects.set(this.#key({ group, resource, namespace: obj.metadata.namespace, name: obj.metadata.name }), obj);
  }

  async handle(req: Exclude<ApiRequest, { verb: 'watch' }>): Promise<ApiResponse> {
    this.requests.push(req);
    if (this.failWith !== undefined) {
      const e = this.failWith;
      this.failWith = undefined;
      throw e;
    }
    const gr = { group: req.group, resource: req.resource };
    const key = this.#key(req);
    switch (req.verb) {
      case 'get': {
        const o = this.objects.get(key);
        if (!o) throw apiErrors.notFound(gr, req.name ?? '');
        return { code: 200, body: o };
      }
      case 'list': {
        const prefix = `${req.group}/${req.resource}/${req.namespace ?? ''}`;
        const items = [...this.objects.entries()].filter(([k]) => k.startsWith(req.namespace ? `${prefix}/` : `${req.group}/${req.resource}/`)).map(([, o]) => o);
        return { code: 200, body: { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items } };
      }
      case 'create': {
        const obj = { ...req.body, metadata: { ...req.body.metadata, namespace: req.namespace, resourceVersion: String(++this.rv) } };
        const k = this.#key({ ...req, name: obj.metadata.name });
        if (this.objects.has(k)) throw apiErrors.alreadyExists(gr, obj.metadata.name ?? '');
        this.objects.set(k, obj);
        return { code: 201, body: obj, ...(this.warnings ? { warnings: this.warnings } : {}) };
      }
      case 'update':
        this.objects.set(key, req.body);
        return { code: 200, body: req.body };
      case 'patch':
        return { code: 200, body: { apiVersion: 'v1', kind: 'Patched', metadata: { name: req.name }, patch: req.patch, patchType: req.patchType } };
      case 'delete':
        this.objects.delete(key);
        return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: req.name, kind: req.resource } } };
      case 'deletecollection':
        return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };
    }
  }

  async watch(req: WatchRequest): Promise<WatchResponse> {
    this.requests.push(req);
    if (this.failWith !== undefined) {
      const e = this.failWith;
      this.failWith = undefined;
      throw e;
    }
    const channel = new EventChannel(req.signal);
    this.watches.push({ req, channel });
    return { events: channel };
  }
}
