import { describe, expect, it } from 'vitest';
import { type ControllerRevision, type Owner, newRevision, ownedRevisions, planRevision, revisionData, revisionHash, revisionsToDelete, templateOf } from './history.js';

const owner = (image: string, annotations?: Record<string, string>): Owner => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'ns', uid: 'uid-db', ...(annotations ? { annotations } : {}) },
  spec: { template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image }] } } },
});
const rev = (image: string, revision: number): ControllerRevision => ({ ...newRevision(owner(image), 'StatefulSet', revision), metadata: { ...newRevision(owner(image), 'StatefulSet', revision).metadata, uid: `uid-${image}` } });

describe('revisionData', () => {
  it('is the patch that replaces the template, keys sorted, creationTimestamp null (upstream getPatch bytes)', () => {
    const data = revisionData({ spec: { containers: [{ name: 'c', image: 'x' }] }, metadata: { labels: { b: '1', a: '2' } } });
    expect(JSON.stringify(data)).toBe('{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"a":"2","b":"1"}},"spec":{"containers":[{"image":"x","name":"c"}]}}}}');
    expect(templateOf({ metadata: {}, data })).toEqual({ metadata: { creationTimestamp: null, labels: { a: '2', b: '1' } }, spec: { containers: [{ image: 'x', name: 'c' }] } });
  });
  it('hashes by content; a collision count changes the hash', () => {
    const a = revisionData(owner('a').spec.template);
    expect(revisionHash(a)).toBe(revisionHash(revisionData(owner('a').spec.template)));
    expect(revisionHash(a)).not.toBe(revisionHash(revisionData(owner('b').spec.template)));
    expect(revisionHash(a, 1)).not.toBe(revisionHash(a));
  });
});

describe('newRevision', () => {
  it('is named <owner>-<hash>, labelled like the template plus the hash, owned by the controller, with the owner annotations', () => {
    const cr = newRevision(owner('a', { 'kubernetes.io/change-cause': 'set image' }), 'StatefulSet', 3);
    const hash = revisionHash(cr.data);
    expect(cr.metadata).toMatchObject({
      name: `db-${hash}`,
      namespace: 'ns',
      labels: { app: 'db', 'controller-revision-hash': hash },
      annotations: { 'kubernetes.io/change-cause': 'set image' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'uid-db', controller: true, blockOwnerDeletion: true }],
    });
    expect(cr.revision).toBe(3);
  });
});

describe('planRevision', () => {
  const cases: { name: string; have: ControllerRevision[]; image: string; want: { revision: number; create: boolean; renumber: boolean; image: string } }[] = [
    { name: 'first revision', have: [], image: 'a', want: { revision: 1, create: true, renumber: false, image: 'a' } },
    { name: 'template unchanged', have: [rev('a', 1)], image: 'a', want: { revision: 1, create: false, renumber: false, image: 'a' } },
    { name: 'new template', have: [rev('a', 1)], image: 'b', want: { revision: 2, create: true, renumber: false, image: 'b' } },
    { name: 'undo to an older template renumbers it', have: [rev('a', 1), rev('b', 2)], image: 'a', want: { revision: 3, create: false, renumber: true, image: 'a' } },
    { name: 'newest already holds it', have: [rev('a', 4), rev('b', 5)], image: 'b', want: { revision: 5, create: false, renumber: false, image: 'b' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const step = planRevision(owner(c.image), 'StatefulSet', c.have);
      expect({ revision: step.update.revision, create: step.create, renumber: step.renumber, image: (templateOf(step.update).spec as any).containers[0].image }).toEqual(c.want);
    });
  }
});

describe('ownedRevisions and revisionsToDelete', () => {
  it('keeps only the owner’s revisions, oldest first', () => {
    const other = { ...rev('z', 1), metadata: { ...rev('z', 1).metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid: 'uid-x', controller: true }] } };
    expect(ownedRevisions(owner('a'), [rev('b', 2), other, rev('a', 1)]).map((r) => r.revision)).toEqual([1, 2]);
  });
  it('deletes the oldest revisions beyond the limit that nothing names', () => {
    const all = [1, 2, 3, 4, 5].map((n) => rev(`i${n}`, n));
    const live = new Set([all[0]!.metadata.name!, all[4]!.metadata.name!]);
    expect(revisionsToDelete(all, live, 1).map((r) => r.revision)).toEqual([2, 3]);
    expect(revisionsToDelete(all, live, 0).map((r) => r.revision)).toEqual([2, 3, 4]);
    expect(revisionsToDelete(all, live)).toEqual([]);
  });
});
