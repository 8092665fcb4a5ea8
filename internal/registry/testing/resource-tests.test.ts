import { crdDefinition } from '../crd/index.js';
import { configMaps, deployments, pods } from './fixtures.js';
import { runResourceTests } from './resource-tests.js';

// The generic tester over the registry's own fixtures and the CRD definition.
runResourceTests(configMaps, {
  valid: { metadata: { name: 'cm1', labels: { a: 'b' } }, data: { k: 'v' } },
  update: (o) => {
    o.data = { k: 'w' };
  },
  invalid: [
    { name: 'bad name', object: { metadata: { name: 'Bad_Name' } }, message: 'metadata.name: Invalid value' },
    // A type the Go struct cannot decode is refused before validation, as upstream's decoder does.
    { name: 'non-string data', object: { metadata: { name: 'x' }, data: { k: 1 } }, code: 400, message: 'json: cannot unmarshal number into Go struct field ConfigMap.data of type string' },
  ],
});

runResourceTests(deployments, {
  valid: { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } } },
  update: (o) => {
    (o.spec as { replicas: number }).replicas = 3;
  },
  invalid: [{ name: 'negative replicas', object: { metadata: { name: 'web' }, spec: { replicas: -1 } } }],
});

runResourceTests(pods, { valid: { metadata: { name: 'p' }, spec: { nodeName: 'n1' } } });

runResourceTests(crdDefinition, {
  valid: {
    metadata: { name: 'gizmos.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Cluster',
      names: { plural: 'gizmos', kind: 'Gizmo' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
    },
  },
  invalid: [{ name: 'group without a dot', object: { metadata: { name: 'gizmos.example' }, spec: { group: 'example', scope: 'Cluster', names: { plural: 'gizmos', kind: 'Gizmo' }, versions: [] } } }],
});
