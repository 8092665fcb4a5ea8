import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../internal/api/index.js';
import { failedStatusPatch, missingNodes, podGcPass, terminatedOverThreshold } from './decide.js';

const pod = (name: string, o: { phase?: string; node?: string; deleting?: boolean; created?: string } = {}): KubeObject => ({
  metadata: { name, namespace: 'ns', creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}) },
  spec: o.node ? { nodeName: o.node } : {},
  status: { phase: o.phase ?? 'Running' },
});
const node = (name: string, ready: boolean, taints: string[] = []): KubeObject => ({
  metadata: { name },
  spec: { taints: taints.map((key) => ({ key, effect: 'NoExecute' })) },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('pod GC', () => {
  it('terminated pods over the threshold go oldest first; a threshold of 0 disables it', () => {
    const pods = [
      pod('new', { phase: 'Succeeded', created: '2026-01-01T00:03:00Z' }),
      pod('old', { phase: 'Failed', created: '2026-01-01T00:01:00Z' }),
      pod('mid', { phase: 'Succeeded', created: '2026-01-01T00:02:00Z' }),
      pod('running'),
    ];
    expect(terminatedOverThreshold(pods, 1).map((p) => p.metadata.name)).toEqual(['old', 'mid']);
    expect(terminatedOverThreshold(pods, 3)).toEqual([]);
    expect(terminatedOverThreshold(pods, 0)).toEqual([]);
  });

  it('missing nodes are the bound ones the cache lacks', () => {
    expect([...missingNodes([pod('a', { node: 'n1' }), pod('b', { node: 'gone' }), pod('c')], (n) => n === 'n1')]).toEqual(['gone']);
  });

  it('one pass: orphans of gone nodes, unscheduled terminating pods, terminating pods on out-of-service nodes', () => {
    const nodes = new Map([
      ['ok', node('ok', true, ['node.kubernetes.io/out-of-service'])],
      ['oos', node('oos', false, ['node.kubernetes.io/out-of-service'])],
      ['down', node('down', false)],
    ]);
    const pods = [
      pod('orphan', { node: 'gone' }),
      pod('orphan-done', { node: 'gone', phase: 'Succeeded' }),
      pod('quarantined', { node: 'maybe' }),
      pod('unscheduled', { deleting: true }),
      pod('pending'),
      pod('oos-term', { node: 'oos', deleting: true }),
      pod('oos-live', { node: 'oos' }),
      pod('ready-term', { node: 'ok', deleting: true }),
      pod('down-term', { node: 'down', deleting: true }),
    ];
    const got = podGcPass({ pods, nodes, goneNodes: new Set(['gone']), threshold: 12500 });
    expect(got.map((d) => [d.pod.metadata.name, d.reason, d.markFailed, d.condition?.reason])).toEqual([
      ['orphan', 'orphaned', true, 'DeletionByPodGC'],
      ['orphan-done', 'orphaned', false, 'DeletionByPodGC'],
      ['unscheduled', 'unscheduled-terminating', true, undefined],
      ['oos-term', 'out-of-service', true, undefined],
    ]);
  });

  it('a pod listed twice is deleted once, under the first reason', () => {
    const got = podGcPass({ pods: [pod('x', { phase: 'Failed', node: 'gone' })], nodes: new Map(), goneNodes: new Set(['gone']), threshold: -1 });
    expect(got.map((d) => d.reason)).toEqual(['orphaned']);
    expect(podGcPass({ pods: [pod('x', { phase: 'Failed', node: 'gone' })], nodes: new Map(), goneNodes: new Set(['gone']), threshold: 0 }).length).toBe(1);
  });

  it('the failed-status patch replaces a condition of the same type', () => {
    const p = { ...pod('x'), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'DisruptionTarget', status: 'False' }] } };
    const cond = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
    expect(failedStatusPatch(p, cond, 'T')).toEqual({ status: { phase: 'Failed', conditions: [{ type: 'Ready', status: 'True' }, { ...cond, lastTransitionTime: 'T' }] } });
    expect(failedStatusPatch(p, undefined, 'T')).toEqual({ status: { phase: 'Failed' } });
  });
});
