// Test-only data: one valid object and invalid variants (with the fields the 422 names) for every
// built-in definition, shared by the strategy unit tests and the generic runResourceTests suite.
import type { KubeObject } from '../../api/index.js';

type Case = { valid: KubeObject; invalid: [KubeObject, string[]][] };
const obj = (kind: string, name: string, rest: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name }, ...rest });
const o = (apiVersion: string, kind: string, name: string, rest: Record<string, unknown> = {}): KubeObject => ({ apiVersion, kind, metadata: { name }, ...rest });
const container = { name: 'c', image: 'busybox' };
const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [container] } };
const backend = { service: { name: 'web', port: { number: 80 } } };
const csrPem = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n').toString('base64');
const selector = { matchLabels: { app: 'a' } };
const jobTemplate = (restartPolicy?: string) => ({ metadata: { labels: { app: 'a' } }, spec: { containers: [container], ...(restartPolicy ? { restartPolicy } : {}) } });

/** core/v1, keyed by plural. */
export const coreCases: Record<string, Case> = {
  configmaps: {
    valid: obj('ConfigMap', 'cm', { data: { 'a.txt': 'x' }, binaryData: { b: 'AAEC' } }),
    invalid: [[obj('ConfigMap', 'cm', { data: { 'bad/key': 'x' } }), ['data']], [obj('ConfigMap', 'Bad_Name'), ['metadata.name']]],
  },
  endpoints: {
    valid: obj('Endpoints', 'ep', { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }),
    invalid: [[obj('Endpoints', 'ep', { subsets: [{ addresses: [{}], ports: [{ port: 0 }] }] }), ['subsets[0].addresses[0].ip', 'subsets[0].ports[0].port']]],
  },
  events: {
    valid: obj('Event', 'e1', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, type: 'Normal', reason: 'Started' }),
    invalid: [[obj('Event', 'e1', { involvedObject: { kind: 'Pod', namespace: 'other' }, type: 'Loud' }), ['involvedObject.namespace', 'type']]],
  },
  limitranges: {
    valid: obj('LimitRange', 'lr', { spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } }),
    invalid: [[obj('LimitRange', 'lr', { spec: { limits: [{ type: 'Box', max: { cpu: 'lots' } }] } }), ['spec.limits[0].type', 'spec.limits[0].max[cpu]']]],
  },
  namespaces: {
    valid: obj('Namespace', 'team-a'),
    invalid: [[obj('Namespace', 'a.b'), ['metadata.name']], [obj('Namespace', 'ns', { spec: { finalizers: ['a/b/c'] } }), ['spec.finalizers[0]']]],
  },
  nodes: {
    valid: obj('Node', 'node-1', { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }),
    invalid: [[obj('Node', 'node-1', { spec: { taints: [{ effect: 'Sometimes' }] } }), ['spec.taints[0].key', 'spec.taints[0].effect']]],
  },
  persistentvolumeclaims: {
    valid: obj('PersistentVolumeClaim', 'data', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
    invalid: [[obj('PersistentVolumeClaim', 'data', { spec: { accessModes: ['Everyone'] } }), ['spec.accessModes', 'spec.resources[storage]']]],
  },
  persistentvolumes: {
    valid: obj('PersistentVolume', 'pv1', { spec: { capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/d' } } }),
    invalid: [[obj('PersistentVolume', 'pv1', { spec: { accessModes: [] } }), ['spec.accessModes', 'spec.capacity', 'spec']]],
  },
  pods: {
    valid: obj('Pod', 'p', { spec: { containers: [container] } }),
    invalid: [[obj('Pod', 'p', { spec: { containers: [{ name: 'c' }] } }), ['spec.containers[0].image']]],
  },
  podtemplates: {
    valid: obj('PodTemplate', 'pt', { template }),
    invalid: [[obj('PodTemplate', 'pt', { template: { spec: { containers: [] } } }), ['template.spec.containers']]],
  },
  replicationcontrollers: {
    valid: obj('ReplicationController', 'rc', { spec: { template } }),
    invalid: [[obj('ReplicationController', 'rc', { spec: { replicas: -1, selector: { app: 'b' }, template } }), ['spec.replicas', 'spec.template.metadata.labels']]],
  },
  resourcequotas: {
    valid: obj('ResourceQuota', 'rq', { spec: { hard: { pods: '10', 'limits.cpu': '4' } } }),
    invalid: [[obj('ResourceQuota', 'rq', { spec: { hard: { pods: 'ten' } } }), ['spec.hard[pods]']]],
  },
  secrets: {
    valid: obj('Secret', 's', { stringData: { password: 'hunter2' } }),
    invalid: [
      [obj('Secret', 's', { data: { k: 'not base64!' } }), ['data[k]']],
      [obj('Secret', 's', { type: 'kubernetes.io/tls', data: {} }), ['data[tls.crt]', 'data[tls.key]']],
    ],
  },
  serviceaccounts: { valid: obj('ServiceAccount', 'sa'), invalid: [[obj('ServiceAccount', '-sa'), ['metadata.name']]] },
  services: {
    valid: obj('Service', 'web', { spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } }),
    invalid: [
      [obj('Service', '1svc', { spec: { ports: [{ port: 80 }] } }), ['metadata.name']],
      [obj('Service', 'web', { spec: { ports: [{ port: 80 }], trafficDistribution: 'Anywhere' } }), ['spec.trafficDistribution']],
      [obj('Service', 'web', { spec: { type: 'Magic', ports: [{ port: 80 }, { port: 99999 }] } }), ['spec.type', 'spec.ports[0].name', 'spec.ports[1].name', 'spec.ports[1].port', 'spec.ports[1].targetPort']],
    ],
  },
};

export const groupCases: [string, string, string, KubeObject, [KubeObject, string[]][]][] = [
  ['coordination.k8s.io', 'v1', 'leases', o('coordination.k8s.io/v1', 'Lease', 'l', { spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } }),
    [[o('coordination.k8s.io/v1', 'Lease', 'l', { spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } }), ['spec.leaseDurationSeconds', 'spec.leaseTransitions']]]],
  ['rbac.authorization.k8s.io', 'v1', 'roles', o('rbac.authorization.k8s.io/v1', 'Role', 'r', { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
    [[o('rbac.authorization.k8s.io/v1', 'Role', 'r', { rules: [{ resources: ['pods'] }, { nonResourceURLs: ['/x'], verbs: ['get'] }] }), ['rules[0].verbs', 'rules[0].apiGroups', 'rules[1].nonResourceURLs']]]],
  ['rbac.authorization.k8s.io', 'v1', 'clusterroles', o('rbac.authorization.k8s.io/v1', 'ClusterRole', 'system:r', { rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }),
    [[o('rbac.authorization.k8s.io/v1', 'ClusterRole', 'a/b'), ['metadata.name']]]],
  ['rbac.authorization.k8s.io', 'v1', 'rolebindings', o('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'jane' }] }),
    [[o('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', { roleRef: { kind: 'Deployment' }, subjects: [{ kind: 'Robot' }] }), ['roleRef.apiGroup', 'roleRef.kind', 'roleRef.name', 'subjects[0].kind', 'subjects[0].name']]]],
  ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', o('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'crb', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'system:masters' }] }),
    [[o('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'crb', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }), ['roleRef.kind', 'subjects[0].namespace']]]],
  ['events.k8s.io', 'v1', 'events', o('events.k8s.io/v1', 'Event', 'e', { eventTime: '2026-11-23T09:59:00.000000Z', reportingController: 'kplane/scheduler', reportingInstance: 'n1', action: 'Binding', reason: 'Scheduled', type: 'Normal', regarding: { kind: 'Pod', name: 'p' } }),
    [[o('events.k8s.io/v1', 'Event', 'e', { type: 'Odd' }), ['eventTime', 'reportingController', 'reportingInstance', 'action', 'reason', 'type']]]],
  ['policy', 'v1', 'poddisruptionbudgets', o('policy/v1', 'PodDisruptionBudget', 'pdb', { spec: { minAvailable: 1, selector: { matchLabels: { app: 'a' } } } }),
    [[o('policy/v1', 'PodDisruptionBudget', 'pdb', { spec: { minAvailable: '50', maxUnavailable: 1 } }), ['spec', 'spec.minAvailable']]]],
  ['networking.k8s.io', 'v1', 'ingresses', o('networking.k8s.io/v1', 'Ingress', 'ing', { spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] } }),
    [[o('networking.k8s.io/v1', 'Ingress', 'ing', { spec: { rules: [{ http: { paths: [{ path: 'x', backend: { service: { name: 'web', port: {} } } }] } }] } }), ['spec.rules[0].http.paths[0].pathType', 'spec.rules[0].http.paths[0].path', 'spec.rules[0].http.paths[0].backend.service.port.name']]]],
  ['networking.k8s.io', 'v1', 'ingressclasses', o('networking.k8s.io/v1', 'IngressClass', 'nginx', { spec: { controller: 'k8s.io/ingress-nginx' } }),
    [[o('networking.k8s.io/v1', 'IngressClass', 'nginx', { spec: {} }), ['spec.controller']]]],
  ['networking.k8s.io', 'v1', 'networkpolicies', o('networking.k8s.io/v1', 'NetworkPolicy', 'deny', { spec: { podSelector: {} } }),
    [[o('networking.k8s.io/v1', 'NetworkPolicy', 'np', { spec: { podSelector: { matchExpressions: [{ key: 'a', operator: 'Near' }] }, policyTypes: ['Sideways'] } }), ['spec.podSelector.matchExpressions[0].operator', 'spec.policyTypes[0]']]]],
  ['discovery.k8s.io', 'v1', 'endpointslices', o('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc', { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] }),
    [[o('discovery.k8s.io/v1', 'EndpointSlice', 'web-abc', { addressType: 'IPX', endpoints: [{ addresses: [] }] }), ['addressType', 'endpoints[0].addresses']]]],
  ['storage.k8s.io', 'v1', 'storageclasses', o('storage.k8s.io/v1', 'StorageClass', 'standard', { provisioner: 'rancher.io/local-path' }),
    [[o('storage.k8s.io/v1', 'StorageClass', 'standard', { reclaimPolicy: 'Shred' }), ['provisioner', 'reclaimPolicy']]]],
  ['storage.k8s.io', 'v1', 'csidrivers', o('storage.k8s.io/v1', 'CSIDriver', 'hostpath.csi.k8s.io', { spec: {} }), [[o('storage.k8s.io/v1', 'CSIDriver', 'Bad_Driver'), ['metadata.name']]]],
  ['storage.k8s.io', 'v1', 'csistoragecapacities', o('storage.k8s.io/v1', 'CSIStorageCapacity', 'cap-1', { storageClassName: 'standard', capacity: '10Gi' }),
    [[o('storage.k8s.io/v1', 'CSIStorageCapacity', 'cap-1', { nodeTopology: { matchExpressions: [{ key: 'k', operator: 'In' }] } }), ['storageClassName', 'nodeTopology.matchExpressions[0].values']]]],
  ['storage.k8s.io', 'v1', 'csinodes', o('storage.k8s.io/v1', 'CSINode', 'n1', { spec: { drivers: [{ name: 'd', nodeID: 'n1' }] } }),
    [[o('storage.k8s.io/v1', 'CSINode', 'n1', { spec: { drivers: [{ nodeID: 'n1' }] } }), ['spec.drivers[0].name']]]],
  ['storage.k8s.io', 'v1', 'volumeattachments', o('storage.k8s.io/v1', 'VolumeAttachment', 'va', { spec: { attacher: 'd', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } } }),
    [[o('storage.k8s.io/v1', 'VolumeAttachment', 'va', { spec: { source: {} } }), ['spec.attacher', 'spec.nodeName', 'spec.source']]]],
  ['scheduling.k8s.io', 'v1', 'priorityclasses', o('scheduling.k8s.io/v1', 'PriorityClass', 'high', { value: 1000 }),
    [[o('scheduling.k8s.io/v1', 'PriorityClass', 'system-mine', { value: 5 }), ['metadata.name']], [o('scheduling.k8s.io/v1', 'PriorityClass', 'huge', { value: 2e9 }), ['value']]]],
  ['autoscaling', 'v2', 'horizontalpodautoscalers', o('autoscaling/v2', 'HorizontalPodAutoscaler', 'web', { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 } }),
    [[o('autoscaling/v2', 'HorizontalPodAutoscaler', 'web', { spec: { minReplicas: 3, maxReplicas: 2, metrics: [{ type: 'Magic' }] } }), ['spec.scaleTargetRef.kind', 'spec.scaleTargetRef.name', 'spec.maxReplicas', 'spec.metrics[0].type']]]],
  ['autoscaling', 'v1', 'horizontalpodautoscalers', o('autoscaling/v1', 'HorizontalPodAutoscaler', 'web', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } }),
    [[o('autoscaling/v1', 'HorizontalPodAutoscaler', 'web', { spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 0 } }), ['spec.maxReplicas']]]],
  ['admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', o('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'vwc', { webhooks: [{ name: 'check.example.com', clientConfig: { url: 'https://example.com/check' }, sideEffects: 'None', admissionReviewVersions: ['v1'] }] }),
    [[o('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'vwc', { webhooks: [{ name: 'check', clientConfig: {}, sideEffects: 'Some' }] }), ['webhooks[0].name', 'webhooks[0].clientConfig', 'webhooks[0].sideEffects', 'webhooks[0].admissionReviewVersions']]]],
  ['admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', o('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'mwc', { webhooks: [{ name: 'inject.example.com', clientConfig: { service: { namespace: 'a', name: 'b' } }, sideEffects: 'NoneOnDryRun', admissionReviewVersions: ['v1'] }] }),
    [[o('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'mwc', { webhooks: [{ name: 'inject.example.com', clientConfig: { url: 'https://x', service: { namespace: 'a', name: 'b' } }, sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Maybe' }] }), ['webhooks[0].clientConfig', 'webhooks[0].failurePolicy']]]],
  ['admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies', o('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', 'replicas', { spec: { matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] }, validations: [{ expression: 'object.spec.replicas <= 5' }] } }),
    [[o('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', 'replicas', { spec: { failurePolicy: 'Sometimes', validations: [{ message: 'x' }] } }), ['spec.failurePolicy', 'spec.matchConstraints.resourceRules', 'spec.validations[0].expression']]]],
  ['admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings', o('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', 'replicas', { spec: { policyName: 'replicas', validationActions: ['Deny'] } }),
    [[o('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', 'replicas', { spec: { validationActions: ['Shout'] } }), ['spec.policyName', 'spec.validationActions[0]']]]],
  ['apiregistration.k8s.io', 'v1', 'apiservices', o('apiregistration.k8s.io/v1', 'APIService', 'v1beta1.metrics.k8s.io', { spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, service: { namespace: 'kube-system', name: 'metrics-server' } } }),
    [[o('apiregistration.k8s.io/v1', 'APIService', 'metrics', { spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 0, versionPriority: 100 } }), ['metadata.name', 'spec.groupPriorityMinimum']]]],
  ['flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas', o('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', 'mine', { spec: { priorityLevelConfiguration: { name: 'workload-low' }, distinguisherMethod: { type: 'ByUser' } } }),
    [[o('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', 'mine', { spec: { priorityLevelConfiguration: {}, matchingPrecedence: 0 } }), ['spec.priorityLevelConfiguration.name', 'spec.matchingPrecedence']]]],
  ['flowcontrol.apiserver.k8s.io', 'v1', 'prioritylevelconfigurations', o('flowcontrol.apiserver.k8s.io/v1', 'PriorityLevelConfiguration', 'mine', { spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue' } } } }),
    [[o('flowcontrol.apiserver.k8s.io/v1', 'PriorityLevelConfiguration', 'mine', { spec: { type: 'Unlimited' } }), ['spec.type']]]],
  ['networking.k8s.io', 'v1', 'servicecidrs', o('networking.k8s.io/v1', 'ServiceCIDR', 'extra', { spec: { cidrs: ['10.100.0.0/16'] } }),
    [[o('networking.k8s.io/v1', 'ServiceCIDR', 'extra', { spec: { cidrs: ['10.100.0.1/16'] } }), ['spec.cidrs[0]']]]],
  ['networking.k8s.io', 'v1', 'ipaddresses', o('networking.k8s.io/v1', 'IPAddress', '10.100.0.7', { spec: { parentRef: { resource: 'services', namespace: 'default', name: 'web' } } }),
    [[o('networking.k8s.io/v1', 'IPAddress', '10.100.000.7', { spec: { parentRef: { resource: 'services' } } }), ['metadata.name', 'spec.parentRef.name']]]],
  ['node.k8s.io', 'v1', 'runtimeclasses', o('node.k8s.io/v1', 'RuntimeClass', 'gvisor', { handler: 'runsc' }), [[o('node.k8s.io/v1', 'RuntimeClass', 'gvisor', { handler: 'Run_SC' }), ['handler']]]],
  ['certificates.k8s.io', 'v1', 'certificatesigningrequests', o('certificates.k8s.io/v1', 'CertificateSigningRequest', 'node-csr', { spec: { request: csrPem, signerName: 'kubernetes.io/kube-apiserver-client' } }),
    [[o('certificates.k8s.io/v1', 'CertificateSigningRequest', 'node-csr', { spec: { request: 'aGVsbG8=', expirationSeconds: 60 } }), ['spec.request', 'spec.signerName', 'spec.expirationSeconds']]]],
];

/** apps/v1 and batch/v1, keyed by plural. */
export const workloadCases: Record<string, Case & { group: string }> = {
  deployments: {
    group: 'apps',
    valid: o('apps/v1', 'Deployment', 'web', { spec: { selector, template } }),
    invalid: [[o('apps/v1', 'Deployment', 'web', { spec: { selector: { matchLabels: { app: 'b' } }, template } }), ['spec.template.metadata.labels']]],
  },
  replicasets: {
    group: 'apps',
    valid: o('apps/v1', 'ReplicaSet', 'web', { spec: { selector, template } }),
    invalid: [[o('apps/v1', 'ReplicaSet', 'web', { spec: { template } }), ['spec.selector']]],
  },
  statefulsets: {
    group: 'apps',
    valid: o('apps/v1', 'StatefulSet', 'db', { spec: { serviceName: 'db', selector, template } }),
    invalid: [[o('apps/v1', 'StatefulSet', 'db', { spec: { selector, template, replicas: -2 } }), ['spec.replicas']]],
  },
  daemonsets: {
    group: 'apps',
    valid: o('apps/v1', 'DaemonSet', 'agent', { spec: { selector, template } }),
    invalid: [[o('apps/v1', 'DaemonSet', 'agent', { spec: { selector, template: jobTemplate('Never') } }), ['spec.template.spec.restartPolicy']]],
  },
  controllerrevisions: {
    group: 'apps',
    valid: o('apps/v1', 'ControllerRevision', 'agent-1', { revision: 1, data: {} }),
    invalid: [[o('apps/v1', 'ControllerRevision', 'agent-1', { revision: -1 }), ['revision']]],
  },
  jobs: {
    group: 'batch',
    valid: o('batch/v1', 'Job', 'pi', { spec: { template: jobTemplate('Never') } }),
    invalid: [[o('batch/v1', 'Job', 'pi', { spec: { template: jobTemplate() } }), ['spec.template.spec.restartPolicy']]],
  },
  cronjobs: {
    group: 'batch',
    valid: o('batch/v1', 'CronJob', 'hello', { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: jobTemplate('OnFailure') } } } }),
    invalid: [[o('batch/v1', 'CronJob', 'hello', { spec: { schedule: '* * *', jobTemplate: { spec: { template: jobTemplate('Never') } } } }), ['spec.schedule']]],
  },
};
