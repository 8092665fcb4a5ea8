import { describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../../../internal/api/index.js';
import { decide, invalidOwnerMessage, removeFinalizerPatch, removeOwnerRefsPatch, unblockOwnerRefsPatch, type OwnerState } from './decide.js';
import { OwnerGraph } from './graph.js';

const RS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const PODS = { group: '', version: 'v1', resource: 'pods' };
const owner = (uid: string, block = false): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, ...(block ? { blockOwnerDeletion: true } : {}) });
const obj = (uid: string, o: { owners?: OwnerReference[]; finalizers?: string[]; deleting?: boolean; ns?: string } = {}): KubeObject => ({
  metadata: {
    name: `o-${uid}`,
    namespace: o.ns ?? 'ns',
    uid,
    resourceVersion: '7',
    ownerReferences: o.owners,
    finalizers: o.finalizers,
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
});

describe('OwnerGraph', () => {
  it('a dependent of an unseen owner is looked up; of a live owner it is not', () => {
    const g = new OwnerGraph();
    expect(g.upsert(obj('p1', { owners: [owner('rs1')] }), PODS).attemptToDelete).toEqual(['p1']);
    expect(g.upsert(obj('rs1'), RS)).toEqual({ attemptToDelete: [], attemptToOrphan: [] });
    expect(g.upsert(obj('p2', { owners: [owner('rs1')] }), PODS).attemptToDelete).toEqual([]);
    expect(g.dependents('rs1').map((n) => n.ref.uid).sort()).toEqual(['p1', 'p2']);
  });

  it('an owner in another namespace is not solid: the dependent is looked up', () => {
    const g = new OwnerGraph();
    g.upsert(obj('rs1', { ns: 'a' }), RS);
    expect(g.upsert(obj('p1', { ns: 'b', owners: [owner('rs1')] }), PODS).attemptToDelete).toEqual(['p1']);
  });

  it('removing an owner queues its dependents; removing a dependent wakes a foreground owner', () => {
    const g = new OwnerGraph();
    g.upsert(obj('rs1'), RS);
    g.upsert(obj('p1', { owners: [owner('rs1', true)] }), PODS);
    expect(g.remove('rs1').attemptToDelete).toEqual(['p1']);
    g.upsert(obj('rs1'), RS);
    const fg = g.upsert(obj('rs1', { deleting: true, finalizers: ['foregroundDeletion'] }), RS);
    expect(fg.attemptToDelete).toEqual(['p1', 'rs1']);
    expect(g.blockingDependents('rs1').map((n) => n.ref.uid)).toEqual(['p1']);
    expect(g.remove('p1').attemptToDelete).toEqual(['rs1']);
    expect(g.blockingDependents('rs1')).toEqual([]);
    expect(g.remove('nope')).toEqual({ attemptToDelete: [], attemptToOrphan: [] });
  });

  it('orphan finalizer on a deleted object queues it for orphaning', () => {
    const g = new OwnerGraph();
    expect(g.upsert(obj('rs1', { deleting: true, finalizers: ['orphan'] }), RS).attemptToOrphan).toEqual(['rs1']);
    expect(g.upsert(obj('rs2', { finalizers: ['orphan'] }), RS).attemptToOrphan).toEqual([]);
  });

  it('dropping or unblocking a reference wakes the foreground owner', () => {
    const g = new OwnerGraph();
    g.upsert(obj('rs1', { deleting: true, finalizers: ['foregroundDeletion'] }), RS);
    g.upsert(obj('p1', { owners: [owner('rs1', true)] }), PODS);
    expect(g.upsert(obj('p1', { owners: [owner('rs1', false)] }), PODS).attemptToDelete).toEqual(['rs1']);
    expect(g.blockingDependents('rs1')).toEqual([]);
    expect(g.upsert(obj('p1', { owners: [] }), PODS).attemptToDelete).toEqual(['rs1']);
    expect(g.dependents('rs1')).toEqual([]);
  });
});

describe('decide', () => {
  const present = (waiting = false): OwnerState => ({ state: 'present', waitingForDependents: waiting });
  const states = (...s: [string, OwnerState][]) => new Map(s);
  const two = obj('x', { owners: [owner('a'), owner('b')] });
  const cases: [string, KubeObject, Map<string, OwnerState>, boolean, boolean, unknown][] = [
    ['no owners', obj('x'), states(), false, false, { action: 'none' }],
    ['a solid owner', two, states(['a', present()], ['b', present()]), false, false, { action: 'none' }],
    ['solid + dangling: drop the dangling reference', two, states(['a', present()], ['b', { state: 'absent' }]), false, false, { action: 'remove-owner-refs', uids: ['b'] }],
    ['solid + waiting: drop the waiting reference', two, states(['a', present(true)], ['b', present()]), false, false, { action: 'remove-owner-refs', uids: ['a'] }],
    ['all dangling: background delete', two, states(['a', { state: 'absent' }], ['b', { state: 'absent' }]), false, false, { action: 'delete', policy: 'Background', unblockOwnerRefs: false }],
    ['waiting owner, no dependents: background delete', two, states(['a', present(true)], ['b', { state: 'absent' }]), false, false, { action: 'delete', policy: 'Background', unblockOwnerRefs: false }],
    ['waiting owner and dependents: foreground', two, states(['a', present(true)], ['b', { state: 'absent' }]), true, false, { action: 'delete', policy: 'Foreground', unblockOwnerRefs: false }],
    ['waiting owner, dependent in foreground too: unblock first', two, states(['a', present(true)], ['b', present(true)]), true, true, { action: 'delete', policy: 'Foreground', unblockOwnerRefs: true }],
    ['orphan finalizer honoured', obj('x', { owners: [owner('a')], finalizers: ['orphan'] }), states(['a', { state: 'absent' }]), false, false, { action: 'delete', policy: 'Orphan', unblockOwnerRefs: false }],
    ['foreground finalizer honoured', obj('x', { owners: [owner('a')], finalizers: ['foregroundDeletion'] }), states(['a', { state: 'absent' }]), false, false, { action: 'delete', policy: 'Foreground', unblockOwnerRefs: false }],
    ['unknown kind: retry later', two, states(['a', { state: 'absent' }]), false, false, { action: 'retry' }],
    ['cluster-scoped item with a namespaced owner: left alone', two, states(['a', { state: 'invalid' }], ['b', { state: 'absent' }]), false, false, { action: 'none', invalid: [owner('a')] }],
  ];
  for (const [name, item, s, hasDeps, depFg, want] of cases) it(name, () => expect(decide(item, s, hasDeps, depFg)).toEqual(want));

  it('patches carry the resourceVersion and drop emptied lists', () => {
    const item = obj('x', { owners: [owner('a', true), owner('b')], finalizers: ['foregroundDeletion'] });
    expect(removeOwnerRefsPatch(item, ['a'])).toEqual({ metadata: { resourceVersion: '7', ownerReferences: [owner('b')] } });
    expect(removeOwnerRefsPatch(item, ['a', 'b'])).toEqual({ metadata: { resourceVersion: '7', ownerReferences: null } });
    expect(unblockOwnerRefsPatch(item)).toEqual({ metadata: { resourceVersion: '7', ownerReferences: [{ ...owner('a'), blockOwnerDeletion: false }, owner('b')] } });
    expect(unblockOwnerRefsPatch(obj('y', { owners: [owner('b')] }))).toBeUndefined();
    expect(removeFinalizerPatch(item, 'foregroundDeletion')).toEqual({ metadata: { resourceVersion: '7', finalizers: null } });
    expect(invalidOwnerMessage(owner('a'), undefined)).toBe('ownerRef [apps/v1/ReplicaSet, namespace: , name: rs-a, uid: a] does not exist in namespace ""');
  });
});
