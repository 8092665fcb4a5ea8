import { apiErrors, type KubeObject } from '../../api/index.js';
import type { AdmissionPlugin } from '../admission.js';
import { nodeNameOf } from '../auth/node-authorizer.js';
import { admissionForbidden, isPod, type Loose } from './lookup.js';
import { SYSTEM_PRIORITY_CLASSES } from '../resources/scheduling/index.js';

type Getter = (resource: { group: string; version: string; resource: string }, namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;
type Lister = (resource: { group: string; version: string; resource: string }) => Promise<KubeObject[]>;

const PRIORITY_CLASSES = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses' };

/** Priority: spec.priority (and preemptionPolicy) from the pod's PriorityClass or the global default. */
export function priorityAdmission(get: Getter, list: Lister): AdmissionPlugin {
  return {
    name: 'Priority',
    async admit(a) {
      if (!isPod(a) || a.operation !== 'CREATE' || !a.object) return;
      const spec = (a.object.spec ??= {}) as Loose;
      let value = 0;
      let policy: string | undefined;
      if (spec.priorityClassName) {
        const pc = (await get(PRIORITY_CLASSES, undefined, spec.priorityClassName)) as Loose | undefined;
        if (!pc && !Object.hasOwn(SYSTEM_PRIORITY_CLASSES, spec.priorityClassName)) throw admissionForbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
        value = pc?.value ?? SYSTEM_PRIORITY_CLASSES[spec.priorityClassName]!.value;
        policy = pc?.preemptionPolicy;
      } else {
        const def = ((await list(PRIORITY_CLASSES)) as Loose[]).filter((c) => c.globalDefault).sort((x, y) => x.value - y.value)[0];
        if (def) {
          spec.priorityClassName = def.metadata.name;
          value = def.value;
          policy = def.preemptionPolicy;
        }
      }
      if (spec.priority !== undefined && spec.priority !== value) {
        throw admissionForbidden(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
      }
      spec.priority = value;
      spec.preemptionPolicy ??= policy ?? 'PreemptLowerPriority';
    },
  };
}

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';

/** DefaultStorageClass: a PVC without storageClassName gets the default StorageClass (the newest if several). */
export function defaultStorageClass(list: Lister): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(a) {
      if (a.definition.group !== '' || a.definition.plural !== 'persistentvolumeclaims' || a.subresource || a.operation !== 'CREATE' || !a.object) return;
      const spec = (a.object.spec ??= {}) as Loose;
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      const classes = (await list({ group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' })).filter((c) => {
        const ann = c.metadata.annotations ?? {};
        return ann[DEFAULT_CLASS] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
      });
      classes.sort((x, y) => String(y.metadata.creationTimestamp).localeCompare(String(x.metadata.creationTimestamp)) || String(x.metadata.name).localeCompare(String(y.metadata.name)));
      if (classes[0]) spec.storageClassName = classes[0].metadata.name;
    },
  };
}

/**
 * NodeRestriction: a node identity may change only its own Node, create only mirror pods bound to
 * itself, and update status, delete or evict only pods bound to itself (upstream's messages).
 */
export function nodeRestriction(get: Getter): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    async validate(a) {
      const node = nodeNameOf(a.user);
      if (node === undefined || a.definition.group !== '') return;
      if (a.definition.plural === 'nodes') {
        if (a.operation === 'CONNECT') return;
        const target = a.name || a.object?.metadata.name || '';
        if (target !== node) throw admissionForbidden(a, `node "${node}" is not allowed to modify node "${target}"`);
        return;
      }
      if (a.definition.plural !== 'pods') return;
      if (a.operation === 'CREATE' && !a.subresource) {
        const pod = a.object!;
        if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] === undefined) throw admissionForbidden(a, `pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
        if ((pod.spec as Loose | undefined)?.nodeName !== node) throw admissionForbidden(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
        return;
      }
      const current = a.oldObject ?? (a.name ? await get({ group: '', version: 'v1', resource: 'pods' }, a.namespace, a.name) : undefined);
      if (!current) throw apiErrors.notFound({ group: '', resource: 'pods' }, a.name);
      const boundHere = (current.spec as Loose | undefined)?.nodeName === node;
      if (a.operation === 'UPDATE' && a.subresource === 'status' && !boundHere) throw admissionForbidden(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
      if (a.operation === 'DELETE' && !boundHere) throw admissionForbidden(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
      if (a.operation === 'CREATE' && a.subresource === 'eviction' && !boundHere) throw admissionForbidden(a, `node "${node}" can only evict pods with spec.nodeName set to itself`);
    },
  };
}
