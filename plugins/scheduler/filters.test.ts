import { describe, expect, it } from 'vitest';
import { filterNode, preFilter } from './schedule.js';
import { snapshotOf } from './snapshot.js';
import { makeNode, makePod, nodeInfos, pod } from './testing/fixtures.js';
import type { KubeObject } from '../../internal/api/index.js';
import { podInfoOf } from './pod-info.js';

interface Case {
  name: string;
  pod: KubeObject;
  node: KubeObject;
  existing?: KubeObject[];
  others?: { node: KubeObject; pods?: KubeObject[] }[];
  want: string[] | undefined;
}

const zoneA = { 'topology.kubernetes.io/zone': 'a' };
const zoneB = { 'topology.kubernetes.io/zone': 'b' };
const web = { app: 'web' };
const term = (selector: Record<string, string>, key = 'kubernetes.io/hostname') => ({ labelSelector: { matchLabels: selector }, topologyKey: key });

const cases: Case[] = [
  { name: 'fits an empty node', pod: makePod('p', { cpu: '1' }), node: makeNode('n'), want: undefined },
  { name: 'insufficient cpu counts bound pods', pod: makePod('p', { cpu: '2' }), node: makeNode('n', { cpu: '4' }), existing: [makePod('a', { cpu: '3' })], want: ['Insufficient cpu'] },
  { name: 'insufficient cpu and memory both reported', pod: makePod('p', { cpu: '5', memory: '9Gi' }), node: makeNode('n'), want: ['Insufficient cpu', 'Insufficient memory'] },
  { name: 'too many pods', pod: makePod('p'), node: makeNode('n', { pods: '1' }), existing: [makePod('a')], want: ['Too many pods'] },
  { name: 'extended resource', pod: makePod('p', { spec: { containers: [{ name: 'c', resources: { requests: { 'nvidia.com/gpu': '1' } } }] } }), node: makeNode('n'), want: ['Insufficient nvidia.com/gpu'] },
  { name: 'init container max counts', pod: makePod('p', { cpu: '1', spec: { initContainers: [{ name: 'i', resources: { requests: { cpu: '5' } } }] } }), node: makeNode('n'), want: ['Insufficient cpu'] },
  { name: 'cordoned node', pod: makePod('p'), node: makeNode('n', { spec: { unschedulable: true } }), want: ['node(s) were unschedulable'] },
  {
    name: 'cordoned node, tolerated',
    pod: makePod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }),
    node: makeNode('n', { spec: { unschedulable: true } }),
    want: undefined,
  },
  { name: 'untolerated taint', pod: makePod('p'), node: makeNode('n', { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } }), want: ['node(s) had untolerated taint {dedicated: gpu}'] },
  { name: 'PreferNoSchedule taint does not filter', pod: makePod('p'), node: makeNode('n', { spec: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] } }), want: undefined },
  {
    name: 'tolerated taint (Equal)',
    pod: makePod('p', { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } }),
    node: makeNode('n', { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } }),
    want: undefined,
  },
  { name: 'nodeSelector mismatch', pod: makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), node: makeNode('n'), want: ["node(s) didn't match Pod's node affinity/selector"] },
  { name: 'nodeSelector match', pod: makePod('p', { spec: { nodeSelector: { disk: 'ssd' } } }), node: makeNode('n', { labels: { disk: 'ssd' } }), want: undefined },
  {
    name: 'node affinity Gt',
    pod: makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }] } } } } }),
    node: makeNode('n', { labels: { cores: '4' } }),
    want: ["node(s) didn't match Pod's node affinity/selector"],
  },
  {
    name: 'node affinity matchFields metadata.name',
    pod: makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }] } } } } }),
    node: makeNode('n'),
    want: undefined,
  },
  { name: 'nodeName mismatch', pod: makePod('p', { spec: { nodeName: 'other' } }), node: makeNode('n'), want: ["node(s) didn't match the requested node name"] },
  {
    name: 'host port taken',
    pod: makePod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] } }),
    node: makeNode('n'),
    existing: [makePod('a', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }] }] } })],
    want: ["node(s) didn't have free ports for the requested pod ports"],
  },
  {
    name: 'host port other protocol is free',
    pod: makePod('p', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'UDP' }] }] } }),
    node: makeNode('n'),
    existing: [makePod('a', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] } })],
    want: undefined,
  },
  {
    name: 'anti-affinity: a matching pod on the same host',
    pod: makePod('p', { labels: web, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web)] } } } }),
    node: makeNode('n'),
    existing: [makePod('a', { labels: web })],
    want: ["node(s) didn't match pod anti-affinity rules"],
  },
  {
    name: "existing pod's anti-affinity rejects the incoming pod",
    pod: makePod('p', { labels: web }),
    node: makeNode('n'),
    existing: [makePod('a', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web)] } } } })],
    want: ["node(s) didn't satisfy existing pods anti-affinity rules"],
  },
  {
    name: 'affinity: no matching pod in the zone',
    pod: makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'topology.kubernetes.io/zone')] } } } }),
    node: makeNode('n', { labels: zoneA }),
    others: [{ node: makeNode('m', { labels: zoneB }), pods: [makePod('db', { labels: { app: 'db' } })] }],
    want: ["node(s) didn't match pod affinity rules"],
  },
  {
    name: 'affinity: matching pod in the same zone on another node',
    pod: makePod('p', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: 'db' }, 'topology.kubernetes.io/zone')] } } } }),
    node: makeNode('n', { labels: zoneA }),
    others: [{ node: makeNode('m', { labels: zoneA }), pods: [makePod('db', { labels: { app: 'db' } })] }],
    want: undefined,
  },
  {
    name: 'affinity: first pod of a self-selecting group',
    pod: makePod('p', { labels: web, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(web)] } } } }),
    node: makeNode('n'),
    want: undefined,
  },
  {
    name: 'spread: skew would exceed maxSkew',
    pod: makePod('p', { labels: web, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: web } }] } }),
    node: makeNode('n', { labels: zoneA }),
    existing: [makePod('a', { labels: web })],
    others: [{ node: makeNode('m', { labels: zoneB }) }],
    want: ["node(s) didn't match pod topology spread constraints"],
  },
  {
    name: 'spread: the emptier zone fits',
    pod: makePod('p', { labels: web, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: web } }] } }),
    node: makeNode('n', { labels: zoneB }),
    others: [{ node: makeNode('m', { labels: zoneA }), pods: [makePod('a', { labels: web })] }],
    want: undefined,
  },
  {
    name: 'spread: node without the key',
    pod: makePod('p', { labels: web, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: web } }] } }),
    node: makeNode('n'),
    want: ["node(s) didn't match pod topology spread constraints (missing required label)"],
  },
];

describe('filters', () => {
  it.each(cases)('$name', (c) => {
    const nodes = nodeInfos([c.node, ...(c.others ?? []).map((o) => o.node)], {
      [c.node.metadata.name!]: c.existing ?? [],
      ...Object.fromEntries((c.others ?? []).map((o) => [o.node.metadata.name!, o.pods ?? []])),
    });
    const snap = snapshotOf(nodes);
    const p = podInfoOf(c.pod);
    expect(filterNode(p, nodes[0]!, snap, preFilter(p, snap))).toEqual(c.want);
  });

  it('parses requests with sidecars and overhead', () => {
    const p = pod('p', {
      cpu: '500m',
      spec: { overhead: { cpu: '100m' }, initContainers: [{ name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '200m', memory: '1Mi' } } }] },
    });
    expect(p.requests).toEqual({ milliCPU: 800, memory: 2 ** 20, ephemeralStorage: 0 });
  });
});
