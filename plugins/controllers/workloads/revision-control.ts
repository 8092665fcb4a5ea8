import { isApiError } from '../../../internal/api/index.js';
import type { ResourceRef } from '../../../internal/client/index.js';
import type { PluginContext } from '../../../internal/plugin/index.js';
import { controllerOf } from './claim.js';
import { ignoreNotFound } from './controller.js';
import { type ControllerRevision, type Owner, ownedRevisions, planRevision, revisionsToDelete, sameData } from './history.js';

export const CONTROLLER_REVISIONS: ResourceRef = { group: 'apps', version: 'v1', resource: 'controllerrevisions' };

export interface History {
  /** The owner's revisions after this sync, oldest first. */
  revisions: ControllerRevision[];
  /** The revision of the owner's template now. */
  update: ControllerRevision;
}

/** Keeps an owner's ControllerRevisions (upstream's controller history) through the plugin's client. */
export class RevisionControl {
  private readonly informer;

  constructor(
    private readonly ctx: PluginContext,
    private readonly kind: string,
  ) {
    this.informer = ctx.informers.informer(CONTROLLER_REVISIONS);
  }

  /**
   * Creates or renumbers the revision of `owner`'s template. Undefined when another object holds
   * the revision's name (a hash collision): the caller raises status.collisionCount and retries.
   */
  async sync(owner: Owner, collisionCount: number): Promise<History | undefined> {
    const ns = owner.metadata.namespace ?? '';
    const revisions = ownedRevisions(owner, this.informer.lister.list(ns) as ControllerRevision[]);
    const step = planRevision(owner, this.kind, revisions, collisionCount);
    let update = step.update;
    if (step.renumber) {
      update = (await this.ctx.client.update(CONTROLLER_REVISIONS, ns, update)) as ControllerRevision;
    } else if (step.create) {
      try {
        update = (await this.ctx.client.create(CONTROLLER_REVISIONS, ns, update)) as ControllerRevision;
      } catch (err) {
        if (!isApiError(err, 'AlreadyExists')) throw err;
        // Ours with the same data (the informer had not seen it yet) is the one; anything else collides.
        const found = (await this.ctx.client.get(CONTROLLER_REVISIONS, ns, update.metadata.name!)) as ControllerRevision;
        if (controllerOf(found)?.uid !== owner.metadata.uid || !sameData(found, update)) return undefined;
        update = found;
      }
    }
    const others = revisions.filter((r) => r.metadata.name !== update.metadata.name);
    return { revisions: [...others, update].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0)), update };
  }

  /** Deletes the oldest revisions beyond revisionHistoryLimit that nothing in `live` names. */
  async truncate(owner: Owner, history: History, live: Set<string>): Promise<void> {
    live.add(history.update.metadata.name ?? '');
    for (const cr of revisionsToDelete(history.revisions, live, owner.spec.revisionHistoryLimit)) {
      await ignoreNotFound(this.ctx.client.delete(CONTROLLER_REVISIONS, cr.metadata.namespace ?? '', cr.metadata.name!, { preconditions: { uid: cr.metadata.uid } }));
    }
  }
}
