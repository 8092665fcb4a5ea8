import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { arr, child, clone, deepEqual, get, isObj, setDefault, str } from '../shared/object.js';
import { parseQuantity } from '../shared/quantity.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { upstream } from '../upstream/index.js';

const ACCESS_MODES: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const SOURCE_KEYS = ['hostPath', 'nfs', 'csi', 'local', 'iscsi', 'fc', 'rbd', 'cephfs', 'glusterfs', 'awsElasticBlockStore', 'gcePersistentDisk', 'azureDisk', 'azureFile', 'vsphereVolume', 'portworxVolume', 'flexVolume', 'cinder', 'quobyte', 'scaleIO', 'storageos', 'photonPersistentDisk', 'flocker'];

/** "RWO,RWX" in upstream's fixed order. */
export function accessModes(modes: unknown): string {
  const set = new Set(arr(modes).map(str));
  return Object.keys(ACCESS_MODES).filter((m) => set.has(m)).map((m) => ACCESS_MODES[m]).join(',');
}

function validateAccessModes(modes: unknown, field: string): FieldError[] {
  const list = arr(modes).map(str);
  if (list.length === 0) return [fieldErrors.required(field, '')];
  return list.filter((m) => !ACCESS_MODES[m]).map((m) => fieldErrors.notSupported(field, m, Object.keys(ACCESS_MODES)));
}

function validatePV(pv: KubeObject): FieldError[] {
  const spec = isObj(pv.spec) ? pv.spec : {};
  const errs = validateAccessModes(spec.accessModes, 'spec.accessModes');
  if (parseQuantity(get(spec, 'capacity', 'storage')) === undefined) errs.push(fieldErrors.required('spec.capacity', ''));
  const sources = SOURCE_KEYS.filter((k) => spec[k] !== undefined);
  if (sources.length === 0) errs.push(fieldErrors.required('spec', 'must specify a volume type'));
  if (sources.length > 1) errs.push(fieldErrors.forbidden(`spec.${sources[1]!}`, 'may not specify more than 1 volume type'));
  return errs;
}

export const persistentVolumeStrategy = defineStrategy({
  namespaced: false,
  status: true,
  defaults(pv) {
    const spec = child(pv, 'spec');
    setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(spec, 'volumeMode', 'Filesystem');
    setDefault(child(pv, 'status'), 'phase', 'Pending');
  },
  validate: validatePV,
});

function validatePVC(pvc: KubeObject): FieldError[] {
  const errs = validateAccessModes(get(pvc, 'spec', 'accessModes'), 'spec.accessModes');
  if (parseQuantity(get(pvc, 'spec', 'resources', 'requests', 'storage')) === undefined) {
    errs.push(fieldErrors.required('spec.resources[storage]', ''));
  }
  return errs;
}

/** After creation a claim's spec is fixed, except requests (expansion) and a first volumeName (binding). */
function validatePVCUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const next = clone(isObj(pvc.spec) ? pvc.spec : {});
  const prev = isObj(old.spec) ? old.spec : {};
  if (isObj(next.resources)) next.resources.requests = get(prev, 'resources', 'requests');
  if (!str(prev.volumeName)) next.volumeName = prev.volumeName;
  if (deepEqual(next, prev)) return [];
  return [fieldErrors.forbidden('spec', 'spec is immutable after creation except resources.requests for bound claims')];
}

export const persistentVolumeClaimStrategy = defineStrategy({
  namespaced: true,
  status: true,
  defaults(pvc) {
    setDefault(child(pvc, 'spec'), 'volumeMode', 'Filesystem');
    setDefault(child(pvc, 'status'), 'phase', 'Pending');
  },
  validate: validatePVC,
  validateUpdate: validatePVCUpdate,
});

const storageClassOf = (o: KubeObject) =>
  str(get(o, 'spec', 'storageClassName')) || str(o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class']);

const volumeAttributesClassOf = (o: KubeObject) => {
  const name = get(o, 'spec', 'volumeAttributesClassName');
  return typeof name === 'string' ? name : '<unset>';
};

export function persistentVolumeDefinition(): ResourceDefinition {
  return defineBuiltin(upstream('', 'v1', 'persistentvolumes'), {
    strategy: persistentVolumeStrategy,
    cells: {
      Capacity: (pv) => str(get(pv, 'spec', 'capacity', 'storage')),
      'Access Modes': (pv) => accessModes(get(pv, 'spec', 'accessModes')),
      'Reclaim Policy': (pv) => str(get(pv, 'spec', 'persistentVolumeReclaimPolicy')),
      Status: (pv) => (pv.metadata.deletionTimestamp ? 'Terminating' : str(get(pv, 'status', 'phase'))),
      Claim: (pv) => (isObj(get(pv, 'spec', 'claimRef')) ? `${str(get(pv, 'spec', 'claimRef', 'namespace'))}/${str(get(pv, 'spec', 'claimRef', 'name'))}` : ''),
      StorageClass: storageClassOf,
      VolumeAttributesClass: volumeAttributesClassOf,
      Reason: (pv) => str(get(pv, 'status', 'reason')),
      VolumeMode: (pv) => str(get(pv, 'spec', 'volumeMode')) || '<unset>',
    },
    subresources: { status: { strategy: subresourceStrategy(persistentVolumeStrategy) } },
  });
}

export function persistentVolumeClaimDefinition(): ResourceDefinition {
  const bound = (pvc: KubeObject) => str(get(pvc, 'spec', 'volumeName')) !== '';
  return defineBuiltin(upstream('', 'v1', 'persistentvolumeclaims'), {
    strategy: persistentVolumeClaimStrategy,
    cells: {
      Status: (pvc) => (pvc.metadata.deletionTimestamp ? 'Terminating' : str(get(pvc, 'status', 'phase'))),
      Volume: (pvc) => str(get(pvc, 'spec', 'volumeName')),
      Capacity: (pvc) => (bound(pvc) ? str(get(pvc, 'status', 'capacity', 'storage')) : ''),
      'Access Modes': (pvc) => (bound(pvc) ? accessModes(get(pvc, 'status', 'accessModes')) : ''),
      StorageClass: storageClassOf,
      VolumeAttributesClass: volumeAttributesClassOf,
      VolumeMode: (pvc) => str(get(pvc, 'spec', 'volumeMode')) || '<unset>',
    },
    subresources: { status: { strategy: subresourceStrategy(persistentVolumeClaimStrategy) } },
  });
}
