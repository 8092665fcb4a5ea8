import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import type { ServedResource } from '../shared/resources.js';
import { deletionConditions, type DeletionOutcome, type NamespaceCondition } from './conditions.js';
import { finalizersWithout, namespacedContentResources, summarize } from './content.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:00:05Z';
const clean: DeletionOutcome = { errors: [], remaining: {}, finalizers: {} };
const res = (group: string, version: string, resource: string, namespaced = true, verbs = ['list', 'delete', 'deletecollection']): ServedResource => ({
  group,
  version,
  resource,
  kind: 'X',
  namespaced,
  verbs,
});

describe('deletionConditions', () => {
  it('a clean pass writes the five OK conditions once, then nothing', () => {
    const first = deletionConditions([], clean, T0)!;
    expect(first.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ['NamespaceContentRemaining', 'False', 'ContentRemoved'],
      ['NamespaceFinalizersRemaining', 'False', 'ContentRemoved'],
    ]);
    expect(deletionConditions(first, clean, T1)).toBeUndefined();
  });

  const cases: { name: string; outcome: DeletionOutcome; type: string; reason: string; message: string }[] = [
    {
      name: 'errors, sorted and counted',
      outcome: { ...clean, errors: ['b failed', 'a failed'] },
      type: 'NamespaceDeletionContentFailure',
      reason: 'ContentDeletionFailed',
      message: 'Failed to delete all resource types, 2 remaining: a failed, b failed',
    },
    {
      name: 'remaining content, core group printed with a trailing dot',
      outcome: { ...clean, remaining: { 'pods.': 2, 'deployments.apps': 1, 'secrets.': 0 } },
      type: 'NamespaceContentRemaining',
      reason: 'SomeResourcesRemain',
      message: 'Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances',
    },
    {
      name: 'finalizers',
      outcome: { ...clean, finalizers: { 'example.com/x': 3, foregroundDeletion: 1 } },
      type: 'NamespaceFinalizersRemaining',
      reason: 'SomeFinalizerRemain',
      message: 'Some finalizers are remaining: example.com/x in 3 resource instances, foregroundDeletion in 1 resource instances',
    },
  ];
  for (const c of cases) {
    it(`failing: ${c.name}`, () => {
      const got = deletionConditions([], c.outcome, T0)!.find((x) => x.type === c.type)!;
      expect(got).toEqual({ type: c.type, status: 'True', reason: c.reason, message: c.message, lastTransitionTime: T0 });
    });
  }

  it('the transition time moves only when the status flips; other conditions are kept', () => {
    const other: NamespaceCondition = { type: 'Custom', status: 'True' };
    const failing = deletionConditions([other], { ...clean, remaining: { 'pods.': 2 } }, T0)!;
    const fewer = deletionConditions(failing, { ...clean, remaining: { 'pods.': 1 } }, T1)!;
    const rem = (cs: NamespaceCondition[]) => cs.find((c) => c.type === 'NamespaceContentRemaining')!;
    expect(rem(fewer)).toMatchObject({ status: 'True', lastTransitionTime: T0, message: 'Some resources are remaining: pods. has 1 resource instances' });
    const done = deletionConditions(fewer, clean, T1)!;
    expect(rem(done)).toMatchObject({ status: 'False', lastTransitionTime: T1, reason: 'ContentRemoved' });
    expect(done[0]).toEqual(other);
  });
});

describe('namespace content', () => {
  it('namespaced resources that can be listed and deleted, one version per group', () => {
    const served = [
      res('', 'v1', 'configmaps'),
      res('', 'v1', 'namespaces', false),
      res('', 'v1', 'pods/status', true, ['get', 'patch']),
      res('', 'v1', 'bindings', true, ['create']),
      res('autoscaling', 'v2', 'horizontalpodautoscalers'),
      res('autoscaling', 'v1', 'horizontalpodautoscalers'),
      res('example.com', 'v1', 'widgets', true, ['list', 'delete']),
    ];
    expect(namespacedContentResources(served).map((r) => `${r.group}/${r.version}/${r.resource}`)).toEqual([
      '/v1/configmaps',
      'autoscaling/v2/horizontalpodautoscalers',
      'example.com/v1/widgets',
    ]);
  });

  it('summarize counts what is left, its finalizers, errors, and estimates the wait', () => {
    const now = Date.parse(T0);
    const pod = (name: string, graceEnds?: string, finalizers?: string[]): KubeObject => ({ metadata: { name, deletionTimestamp: graceEnds, finalizers } });
    const out = summarize(
      [
        { resource: res('', 'v1', 'pods'), remaining: [pod('a', '2026-01-01T00:00:30Z'), pod('b', T0, ['x/y'])] },
        { resource: res('', 'v1', 'configmaps'), remaining: [] },
        { resource: res('apps', 'v1', 'deployments'), error: 'deployments.apps: boom' },
      ],
      now,
    );
    expect(out).toEqual({ errors: ['deployments.apps: boom'], remaining: { 'pods.': 2 }, finalizers: { 'x/y': 1 }, estimateSeconds: 30 });
    expect(summarize([{ resource: res('', 'v1', 'secrets'), remaining: [pod('c', T0, ['f'])] }], now).estimateSeconds).toBe(15);
    expect(summarize([], now).estimateSeconds).toBe(0);
  });

  it('finalizersWithout removes the token, dedupes and sorts', () => {
    expect(finalizersWithout({ metadata: {}, spec: { finalizers: ['z', 'kubernetes', 'a', 'z'] } }, 'kubernetes')).toEqual(['a', 'z']);
    expect(finalizersWithout({ metadata: {} }, 'kubernetes')).toEqual([]);
  });
});
