import type { KubeObject } from '../../../api/index.js';
import type { PolicyRule } from './rules.js';

// Upstream's bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), as data: the
// default ClusterRoles, their bindings, and the per-controller roles. Created at bootstrap and
// reconciled on every start (reconcile.ts).

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const RW = [...READ, ...WRITE];
const RBAC = 'rbac.authorization.k8s.io';

/** A rule: verbs, groups, resources (and optionally resource names). */
const r = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });
const events = r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);
const reviews = [r(['create'], ['authentication.k8s.io'], ['tokenreviews']), r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])];

export const AGGREGATE_TO = (role: 'admin' | 'edit' | 'view') => `${RBAC}/aggregate-to-${role}`;

interface RoleSpec {
  name: string;
  rules?: PolicyRule[];
  /** Aggregated roles: ClusterRoles with this label feed their rules in. */
  aggregateFrom?: string[];
  labels?: Record<string, string>;
}

const CLUSTER_ROLES: RoleSpec[] = [
  { name: 'cluster-admin', rules: [r(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
  {
    name: 'system:discovery',
    rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])],
  },
  { name: 'system:monitoring', rules: [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])] },
  {
    name: 'system:basic-user',
    rules: [r(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']), r(['create'], ['authentication.k8s.io'], ['selfsubjectreviews'])],
  },
  { name: 'system:public-info-viewer', rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  { name: 'system:service-account-issuer-discovery', rules: [urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])] },
  { name: 'admin', aggregateFrom: [AGGREGATE_TO('admin')] },
  { name: 'edit', aggregateFrom: [AGGREGATE_TO('edit')], labels: { [AGGREGATE_TO('admin')]: 'true' } },
  { name: 'view', aggregateFrom: [AGGREGATE_TO('view')], labels: { [AGGREGATE_TO('edit')]: 'true' } },
  {
    name: 'system:aggregate-to-admin',
    labels: { [AGGREGATE_TO('admin')]: 'true' },
    rules: [r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']), r(RW, [RBAC], ['rolebindings', 'roles'])],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: { [AGGREGATE_TO('edit')]: 'true' },
    rules: [
      r(READ, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
      r(['impersonate'], [''], ['serviceaccounts']),
      r(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
      r(['create'], [''], ['pods/eviction']),
      r(WRITE, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
      r(['create'], [''], ['serviceaccounts/token']),
      r(WRITE, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
      r(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
      r(WRITE, ['batch'], ['jobs', 'cronjobs']),
      r(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
      r(WRITE, ['policy'], ['poddisruptionbudgets']),
      r(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
      r(RW, ['coordination.k8s.io'], ['leases']),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: { [AGGREGATE_TO('view')]: 'true' },
    rules: [
      r(READ, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      r(READ, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
      r(READ, [''], ['namespaces']),
      r(READ, ['discovery.k8s.io'], ['endpointslices']),
      r(READ, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      r(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      r(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
      r(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
      r(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      r(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
    ],
  },
  { name: 'system:auth-delegator', rules: reviews },
  {
    name: 'system:node',
    rules: [
      ...reviews,
      r(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      r(READ, [''], ['services']),
      r(['create', 'get', 'list', 'watch', 'patch', 'update'], [''], ['nodes']),
      r(['update', 'patch'], [''], ['nodes/status']),
      r(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
      r(READ, [''], ['pods']),
      r(['create', 'delete'], [''], ['pods']),
      r(['update', 'patch'], [''], ['pods/status']),
      r(['create'], [''], ['pods/eviction']),
      r(READ, [''], ['secrets', 'configmaps']),
      r(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      r(['get'], [''], ['endpoints']),
      r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      r(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
      r(['get'], ['storage.k8s.io'], ['volumeattachments']),
      r(['create'], [''], ['serviceaccounts/token']),
      r(['update', 'patch'], [''], ['persistentvolumeclaims/status']),
      r(READ, ['storage.k8s.io'], ['csidrivers']),
      r(['get', 'create', 'update', 'patch', 'delete'], ['storage.k8s.io'], ['csinodes']),
      r(READ, ['node.k8s.io'], ['runtimeclasses']),
    ],
  },
  { name: 'system:node-proxier', rules: [r(['list', 'watch'], [''], ['services', 'endpoints']), r(['get', 'list', 'watch'], [''], ['nodes']), r(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']), events] },
  { name: 'system:kube-dns', rules: [r(['list', 'watch'], [''], ['endpoints', 'services'])] },
  { name: 'system:node-bootstrapper', rules: [r(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      events,
      r(['create'], ['coordination.k8s.io'], ['leases']),
      r(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      r(['create'], [''], ['secrets', 'serviceaccounts']),
      r(['delete'], [''], ['secrets']),
      r(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      r(['update'], [''], ['secrets', 'serviceaccounts']),
      ...reviews,
      r(['list', 'watch'], ['*'], ['*']),
      r(['create'], [''], ['serviceaccounts/token']),
    ],
  },
  {
    name: 'system:kube-scheduler',
    rules: [
      events,
      r(['create'], ['coordination.k8s.io'], ['leases']),
      r(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      r(READ, [''], ['nodes']),
      r(['get', 'list', 'watch', 'delete'], [''], ['pods']),
      r(['create'], [''], ['pods/binding', 'bindings']),
      r(['patch', 'update'], [''], ['pods/status']),
      r(READ, [''], ['services', 'replicationcontrollers']),
      r(READ, ['apps', 'extensions'], ['replicasets']),
      r(READ, ['apps'], ['statefulsets']),
      r(READ, ['policy'], ['poddisruptionbudgets']),
      r(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      ...reviews,
      r(READ, ['storage.k8s.io'], ['csinodes']),
      r(READ, [''], ['namespaces']),
      r(READ, ['storage.k8s.io'], ['csidrivers', 'csistoragecapacities']),
    ],
  },
  { name: 'system:volume-scheduler', rules: [r(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']), r(READ, ['storage.k8s.io'], ['storageclasses']), r(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims'])] },
];

/** upstream's system:controller:<name> roles, each bound to the ServiceAccount kube-system/<name>. */
const CONTROLLER_ROLES: RoleSpec[] = [
  { name: 'clusterrole-aggregation-controller', rules: [r(['escalate', 'get', 'list', 'watch', 'update', 'patch'], [RBAC], ['clusterroles'])] },
  {
    name: 'certificate-controller',
    rules: [
      r(['get', 'list', 'watch', 'delete'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      r(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
      r(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
      r(['sign'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown', 'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
      r(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      events,
    ],
  },
  {
    name: 'cronjob-controller',
    rules: [r(['get', 'list', 'watch', 'update'], ['batch'], ['cronjobs']), r(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], ['batch'], ['jobs']), r(['update'], ['batch'], ['cronjobs/status']), r(['update'], ['batch'], ['cronjobs/finalizers']), r(['list', 'watch', 'delete'], [''], ['pods']), events],
  },
  {
    name: 'daemon-set-controller',
    rules: [
      r(READ, ['extensions', 'apps'], ['daemonsets']),
      r(['update'], ['extensions', 'apps'], ['daemonsets/status']),
      r(['update'], ['extensions', 'apps'], ['daemonsets/finalizers']),
      r(['list', 'watch'], [''], ['nodes']),
      r(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']),
      r(['create'], [''], ['pods/binding']),
      r(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], ['apps'], ['controllerrevisions']),
      events,
    ],
  },
  {
    name: 'deployment-controller',
    rules: [
      r(['get', 'list', 'watch', 'update'], ['extensions', 'apps'], ['deployments']),
      r(['update'], ['extensions', 'apps'], ['deployments/status']),
      r(['update'], ['extensions', 'apps'], ['deployments/finalizers']),
      r(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], ['apps', 'extensions'], ['replicasets']),
      r(['get', 'list', 'watch', 'update'], [''], ['pods']),
      events,
    ],
  },
  {
    name: 'disruption-controller',
    rules: [
      r(READ, ['extensions', 'apps'], ['deployments']),
      r(READ, ['apps', 'extensions'], ['replicasets']),
      r(READ, [''], ['replicationcontrollers']),
      r(READ, ['policy'], ['poddisruptionbudgets']),
      r(READ, ['apps'], ['statefulsets']),
      r(['update'], ['policy'], ['poddisruptionbudgets/status']),
      r(['patch', 'update'], [''], ['pods/status']),
      r(['get'], ['*'], ['*/scale']),
      events,
    ],
  },
  {
    name: 'endpoint-controller',
    rules: [r(READ, [''], ['services', 'pods']), r(['get', 'list', 'watch', 'create', 'update', 'delete'], [''], ['endpoints']), r(['create'], [''], ['endpoints/restricted']), events],
  },
  {
    name: 'endpointslice-controller',
    rules: [r(READ, [''], ['services', 'pods', 'nodes']), r(['update'], [''], ['services/finalizers']), r(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']), events],
  },
  {
    name: 'endpointslicemirroring-controller',
    rules: [r(READ, [''], ['services', 'endpoints']), r(['update'], [''], ['services/finalizers', 'endpoints/finalizers']), r(['get', 'list', 'watch', 'create', 'update', 'delete'], ['discovery.k8s.io'], ['endpointslices']), events],
  },
  { name: 'generic-garbage-collector', rules: [r(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']), events] },
  {
    name: 'horizontal-pod-autoscaler',
    rules: [
      r(READ, ['autoscaling'], ['horizontalpodautoscalers']),
      r(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
      r(['get', 'update'], ['*'], ['*/scale']),
      r(['list', 'watch'], [''], ['pods']),
      r(['list', 'watch'], ['metrics.k8s.io'], ['pods']),
      r(READ, ['custom.metrics.k8s.io'], ['*']),
      r(READ, ['external.metrics.k8s.io'], ['*']),
      events,
    ],
  },
  {
    name: 'job-controller',
    rules: [r(['get', 'list', 'watch', 'update', 'patch'], ['batch'], ['jobs']), r(['update'], ['batch'], ['jobs/status']), r(['update'], ['batch'], ['jobs/finalizers']), r(['list', 'watch', 'create', 'delete', 'patch'], [''], ['pods']), events],
  },
  {
    name: 'namespace-controller',
    rules: [r(['get', 'list', 'watch', 'delete'], [''], ['namespaces']), r(['update'], [''], ['namespaces/finalize', 'namespaces/status']), r(['get', 'list', 'watch', 'delete', 'deletecollection'], ['*'], ['*'])],
  },
  {
    name: 'node-controller',
    rules: [r(['get', 'list', 'watch', 'update', 'delete', 'patch'], [''], ['nodes']), r(['patch', 'update'], [''], ['nodes/status']), r(['patch', 'update'], [''], ['pods/status']), r(['list', 'watch', 'get', 'delete'], [''], ['pods']), events],
  },
  {
    name: 'persistent-volume-binder',
    rules: [
      r(['get', 'list', 'watch', 'update', 'create', 'delete'], [''], ['persistentvolumes']),
      r(['update'], [''], ['persistentvolumes/status']),
      r(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']),
      r(['update'], [''], ['persistentvolumeclaims/status']),
      r(['list', 'watch', 'get', 'create', 'delete'], [''], ['pods']),
      r(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
      r(['get', 'create', 'delete'], [''], ['endpoints', 'services']),
      r(['get'], [''], ['secrets']),
      r(['get', 'list'], [''], ['nodes']),
      events,
    ],
  },
  { name: 'pod-garbage-collector', rules: [r(['list', 'watch', 'delete'], [''], ['pods']), r(READ, [''], ['nodes']), r(['patch'], [''], ['pods/status'])] },
  {
    name: 'replicaset-controller',
    rules: [r(['get', 'list', 'watch', 'update'], ['apps', 'extensions'], ['replicasets']), r(['update'], ['apps', 'extensions'], ['replicasets/status']), r(['update'], ['apps', 'extensions'], ['replicasets/finalizers']), r(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']), events],
  },
  {
    name: 'replication-controller',
    rules: [r(['get', 'list', 'watch', 'update'], [''], ['replicationcontrollers']), r(['update'], [''], ['replicationcontrollers/status']), r(['update'], [''], ['replicationcontrollers/finalizers']), r(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']), events],
  },
  { name: 'resourcequota-controller', rules: [r(['list', 'watch'], ['*'], ['*']), r(['update'], [''], ['resourcequotas/status']), events] },
  { name: 'service-account-controller', rules: [r(['create'], [''], ['serviceaccounts']), events] },
  {
    name: 'statefulset-controller',
    rules: [
      r(['list', 'watch'], [''], ['pods']),
      r(READ, ['apps'], ['statefulsets']),
      r(['update'], ['apps'], ['statefulsets/status']),
      r(['update'], ['apps'], ['statefulsets/finalizers']),
      r(['get', 'create', 'delete', 'update', 'patch'], [''], ['pods']),
      r(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], ['apps'], ['controllerrevisions']),
      r(['get', 'create', 'list', 'watch'], [''], ['persistentvolumeclaims']),
      r(['update', 'delete'], [''], ['persistentvolumeclaims']),
      r(['update'], [''], ['pods/finalizers']),
      events,
    ],
  },
  { name: 'ttl-controller', rules: [r(['update', 'patch', 'list', 'watch'], [''], ['nodes']), events] },
  { name: 'ttl-after-finished-controller', rules: [r(['get', 'list', 'watch', 'delete'], ['batch'], ['jobs']), events] },
  {
    name: 'service-cidrs-controller',
    rules: [
      r(['get', 'list', 'watch', 'patch', 'update'], ['networking.k8s.io'], ['servicecidrs']),
      r(['patch', 'update'], ['networking.k8s.io'], ['servicecidrs/finalizers', 'servicecidrs/status']),
      r(['get', 'list', 'watch'], ['networking.k8s.io'], ['ipaddresses']),
      events,
    ],
  },
  { name: 'root-ca-cert-publisher', rules: [r(['create', 'update'], [''], ['configmaps']), events] },
  { name: 'service-controller', rules: [r(READ, [''], ['services']), r(['patch', 'update'], [''], ['services/status']), r(['list', 'watch'], [''], ['nodes']), events] },
  { name: 'pvc-protection-controller', rules: [r(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']), r(['list', 'watch', 'get'], [''], ['pods']), events] },
  { name: 'pv-protection-controller', rules: [r(['get', 'list', 'watch', 'update'], [''], ['persistentvolumes']), events] },
];

type Subject = { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string };
const group = (name: string): Subject => ({ kind: 'Group', name });
const user = (name: string): Subject => ({ kind: 'User', name });
const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

const CLUSTER_ROLE_BINDINGS: { name: string; subjects: Subject[] }[] = [
  { name: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:monitoring', subjects: [group('system:monitoring')] },
  { name: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:node-proxier', subjects: [user('system:kube-proxy')] },
  { name: 'system:kube-controller-manager', subjects: [user('system:kube-controller-manager')] },
  { name: 'system:kube-dns', subjects: [sa('kube-system', 'kube-dns')] },
  { name: 'system:kube-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:volume-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:node', subjects: [] },
  { name: 'system:service-account-issuer-discovery', subjects: [group('system:serviceaccounts')] },
];

const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
const SUBJECT_GROUP = (s: Subject) => (s.kind === 'ServiceAccount' ? { kind: s.kind, name: s.name, namespace: s.namespace } : { kind: s.kind, apiGroup: RBAC, name: s.name });

function clusterRole(spec: RoleSpec): KubeObject {
  const obj: KubeObject = {
    apiVersion: `${RBAC}/v1`,
    kind: 'ClusterRole',
    metadata: { name: spec.name, labels: { ...BOOTSTRAP_LABELS, ...spec.labels }, annotations: { ...AUTOUPDATE } },
    rules: spec.rules ?? [],
  };
  if (spec.aggregateFrom) obj.aggregationRule = { clusterRoleSelectors: spec.aggregateFrom.map((l) => ({ matchLabels: { [l]: 'true' } })) };
  return obj;
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, roleKind: string, roleName: string, subjects: Subject[], namespace?: string): KubeObject {
  return {
    apiVersion: `${RBAC}/v1`,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: RBAC, kind: roleKind, name: roleName },
    subjects: subjects.map(SUBJECT_GROUP),
  };
}

/** The kplane Role that lets the plugins' identities hold their Leases in kube-system. */
export const LEADER_LOCKING_ROLE = 'system:kplane:leader-locking';

/** Every default ClusterRole (upstream's plus the controller roles). */
export function defaultClusterRoles(): KubeObject[] {
  return [...CLUSTER_ROLES.map(clusterRole), ...CONTROLLER_ROLES.map((c) => clusterRole({ ...c, name: `system:controller:${c.name}` }))];
}

export function defaultClusterRoleBindings(): KubeObject[] {
  return [
    ...CLUSTER_ROLE_BINDINGS.map((b) => binding('ClusterRoleBinding', b.name, 'ClusterRole', b.name, b.subjects)),
    ...CONTROLLER_ROLES.map((c) => binding('ClusterRoleBinding', `system:controller:${c.name}`, 'ClusterRole', `system:controller:${c.name}`, [sa('kube-system', c.name)])),
  ];
}

/** upstream's namespaced controller Roles in kube-system (system:controller:<name>, bound to ServiceAccount kube-system/<name>). */
const NAMESPACED_CONTROLLER_ROLES: RoleSpec[] = [{ name: 'token-cleaner', rules: [r(['delete', 'get', 'list', 'watch'], [''], ['secrets']), events] }];

/** Namespaced defaults in kube-system: the plugins' leader-election Role and upstream's namespaced controller Roles, with their bindings. */
export function defaultRoles(): KubeObject[] {
  return [
    ...NAMESPACED_CONTROLLER_ROLES.map((c) => {
      const role = clusterRole({ ...c, name: `system:controller:${c.name}` });
      return { ...role, kind: 'Role', metadata: { ...role.metadata, namespace: 'kube-system' } };
    }),
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      metadata: { name: LEADER_LOCKING_ROLE, namespace: 'kube-system', labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
      rules: [r(['get', 'list', 'watch', 'create', 'update', 'patch'], ['coordination.k8s.io'], ['leases'])],
    },
  ];
}

export function defaultRoleBindings(): KubeObject[] {
  const subjects = [group('system:serviceaccounts:kube-system'), user('system:kube-scheduler'), user('system:kube-controller-manager')];
  return [
    binding('RoleBinding', LEADER_LOCKING_ROLE, 'Role', LEADER_LOCKING_ROLE, subjects, 'kube-system'),
    ...NAMESPACED_CONTROLLER_ROLES.map((c) => binding('RoleBinding', `system:controller:${c.name}`, 'Role', `system:controller:${c.name}`, [sa('kube-system', c.name)], 'kube-system')),
  ];
}
