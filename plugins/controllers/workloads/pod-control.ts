import type { KubeObject } from '../../../internal/api/index.js';
import type { PluginContext } from '../../../internal/plugin/index.js';
import { adoptPatch, controllerRefTo, releasePatch } from './claim.js';
import { PODS, ignoreNotFound } from './controller.js';
import type { Expectations } from './expectations.js';
import type { Pod } from './pods.js';
import { slowStart } from './slow-start.js';

/**
 * The pod writes replica-style controllers share (upstream's PodControl): adoption, release,
 * creation in slow-start batches and deletion, with expectations raised before each write and
 * lowered for every write that fails (the informer will never report it).
 */
export class PodControl {
  constructor(
    private readonly ctx: PluginContext,
    private readonly expectations: Expectations,
    private readonly ownerApiVersion: string,
    private readonly ownerKind: string,
  ) {}

  async claim(owner: KubeObject, adopt: Pod[], release: Pod[]): Promise<void> {
    const ns = owner.metadata.namespace;
    const ref = controllerRefTo(owner, this.ownerApiVersion, this.ownerKind);
    await Promise.all([
      ...adopt.map((p) => ignoreNotFound(this.ctx.client.patch(PODS, ns, p.metadata.name!, 'merge', adoptPatch(p, ref)))),
      ...release.map((p) => ignoreNotFound(this.ctx.client.patch(PODS, ns, p.metadata.name!, 'merge', releasePatch(p, owner.metadata.uid!)))),
    ]);
  }

  /** Creates `count` pods built by `make(i)`; returns how many were created. */
  async create(key: string, owner: KubeObject, count: number, make: (i: number) => Pod): Promise<number> {
    if (count <= 0) return 0;
    this.expectations.expect(key, count);
    let attempted = 0;
    const r = await slowStart(count, async () => {
      const i = attempted++;
      try {
        const pod = await this.ctx.client.create(PODS, owner.metadata.namespace, make(i));
        this.ctx.events.event(owner, 'Normal', 'SuccessfulCreate', 'Create', `Created pod: ${pod.metadata.name}`);
      } catch (err) {
        this.expectations.created(key);
        this.ctx.events.event(owner, 'Warning', 'FailedCreate', 'Create', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    });
    for (let i = attempted; i < count; i++) this.expectations.created(key);
    if (r.error) throw r.error;
    return r.done;
  }

  async delete(key: string, owner: KubeObject, pods: Pod[]): Promise<void> {
    if (pods.length === 0) return;
    this.expectations.expect(key, 0, pods.map((p) => p.metadata.uid!));
    const results = await Promise.allSettled(
      pods.map(async (p) => {
        try {
          await this.ctx.client.delete(PODS, p.metadata.namespace, p.metadata.name!, { preconditions: { uid: p.metadata.uid } });
          this.ctx.events.event(owner, 'Normal', 'SuccessfulDelete', 'Delete', `Deleted pod: ${p.metadata.name}`);
        } catch (err) {
          this.expectations.deleted(key, p.metadata.uid!);
          if (!isNotFound(err)) throw err;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

function isNotFound(err: unknown): boolean {
  return (err as { reason?: string })?.reason === 'NotFound';
}
