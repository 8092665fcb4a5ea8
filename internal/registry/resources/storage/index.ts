import { type FieldError, type KubeObject, fieldErrors } from '../../../api/index.js';
import type { ResourceDefinition } from '../../definition.js';
import { defineBuiltin } from '../shared/define.js';
import { immutable } from '../shared/meta.js';
import { arr, child, get, isObj, objs, setDefault, str } from '../shared/object.js';
import { defineStrategy, subresourceStrategy } from '../shared/strategy.js';
import { validateLabelSelector } from '../shared/selectors.js';
import { upstream } from '../upstream/index.js';

const RECLAIM = ['Delete', 'Recycle', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const DEFAULT_CLASS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export const storageClassStrategy = defineStrategy({
  namespaced: false,
  defaults(sc) {
    setDefault(sc, 'reclaimPolicy', 'Delete');
    setDefault(sc, 'volumeBindingMode', 'Immediate');
  },
  validate(sc) {
    const errs: FieldError[] = [];
    if (!str(sc.provisioner)) errs.push(fieldErrors.required('provisioner', ''));
    if (!RECLAIM.includes(str(sc.reclaimPolicy))) errs.push(fieldErrors.notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM));
    if (!BINDING_MODES.includes(str(sc.volumeBindingMode))) errs.push(fieldErrors.notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
    return errs;
  },
  validateUpdate: (sc, old) => [
    ...immutable('parameters', sc.parameters, old.parameters),
    ...immutable('provisioner', sc.provisioner, old.provisioner),
    ...immutable('reclaimPolicy', sc.reclaimPolicy, old.reclaimPolicy),
    ...immutable('volumeBindingMode', sc.volumeBindingMode, old.volumeBindingMode),
  ],
});

const isDefaultClass = (sc: KubeObject) => DEFAULT_CLASS.some((k) => sc.metadata.annotations?.[k] === 'true');

/** storage.k8s.io/v1 SetDefaults_CSIDriver. */
function defaultCSIDriver(d: KubeObject): void {
  const spec = child(d, 'spec');
  setDefault(spec, 'attachRequired', true);
  setDefault(spec, 'podInfoOnMount', false);
  setDefault(spec, 'storageCapacity', false);
  setDefault(spec, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
  setDefault(spec, 'requiresRepublish', false);
  if (arr(spec.volumeLifecycleModes).length === 0) spec.volumeLifecycleModes = ['Persistent'];
}

export const csiDriverStrategy = defineStrategy({
  namespaced: false,
  defaults: defaultCSIDriver,
  validateUpdate: (d, old) => ['attachRequired', 'podInfoOnMount', 'volumeLifecycleModes', 'fsGroupPolicy'].flatMap((k) => immutable(`spec.${k}`, get(d, 'spec', k), get(old, 'spec', k))),
});

export const csiNodeStrategy = defineStrategy({
  namespaced: false,
  validate: (n) => objs(get(n, 'spec', 'drivers')).flatMap((d, i) => (str(d.name) ? [] : [fieldErrors.required(`spec.drivers[${i}].name`, '')])),
});

export const volumeAttachmentStrategy = defineStrategy({
  namespaced: false,
  status: true,
  validate(va) {
    const errs: FieldError[] = [];
    if (!str(get(va, 'spec', 'attacher'))) errs.push(fieldErrors.required('spec.attacher', ''));
    if (!str(get(va, 'spec', 'nodeName'))) errs.push(fieldErrors.required('spec.nodeName', ''));
    const source = get(va, 'spec', 'source');
    const sources = isObj(source) ? Object.keys(source).filter((k) => source[k] !== undefined) : [];
    if (sources.length !== 1) errs.push(fieldErrors.required('spec.source', 'must specify exactly one of persistentVolumeName and inlineVolumeSpec'));
    return errs;
  },
  validateUpdate: (va, old) => immutable('spec', va.spec, old.spec),
});

/** CSIStorageCapacity: capacity a driver reports for one storage class and topology segment. */
export const csiStorageCapacityStrategy = defineStrategy({
  namespaced: true,
  validate(cap) {
    const errs: FieldError[] = [];
    if (!str(cap.storageClassName)) errs.push(fieldErrors.required('storageClassName', ''));
    errs.push(...validateLabelSelector(cap.nodeTopology, 'nodeTopology'));
    return errs;
  },
  validateUpdate: (cap, old) => [
    ...immutable('storageClassName', cap.storageClassName, old.storageClassName),
    ...immutable('nodeTopology', cap.nodeTopology, old.nodeTopology),
  ],
});

const bool = (v: unknown) => v === true;

export function storageDefinitions(): ResourceDefinition[] {
  const up = (plural: string) => upstream('storage.k8s.io', 'v1', plural);
  return [
    defineBuiltin(up('csidrivers'), {
      strategy: csiDriverStrategy,
      cells: {
        AttachRequired: (d) => bool(get(d, 'spec', 'attachRequired')),
        PodInfoOnMount: (d) => bool(get(d, 'spec', 'podInfoOnMount')),
        StorageCapacity: (d) => bool(get(d, 'spec', 'storageCapacity')),
        TokenRequests: (d) => objs(get(d, 'spec', 'tokenRequests')).map((t) => str(t.audience)).join(',') || '<unset>',
        RequiresRepublish: (d) => bool(get(d, 'spec', 'requiresRepublish')),
        Modes: (d) => arr(get(d, 'spec', 'volumeLifecycleModes')).map(str).join(',') || '<none>',
      },
    }),
    defineBuiltin(up('csistoragecapacities'), { strategy: csiStorageCapacityStrategy }),
    defineBuiltin(up('csinodes'), { strategy: csiNodeStrategy, cells: { Drivers: (n) => arr(get(n, 'spec', 'drivers')).length } }),
    defineBuiltin(up('storageclasses'), {
      strategy: storageClassStrategy,
      cells: {
        Name: (sc) => `${sc.metadata.name ?? ''}${isDefaultClass(sc) ? ' (default)' : ''}`,
        Provisioner: (sc) => str(sc.provisioner),
        ReclaimPolicy: (sc) => str(sc.reclaimPolicy) || 'Delete',
        VolumeBindingMode: (sc) => str(sc.volumeBindingMode) || 'Immediate',
        AllowVolumeExpansion: (sc) => bool(sc.allowVolumeExpansion),
      },
    }),
    defineBuiltin(up('volumeattachments'), {
      strategy: volumeAttachmentStrategy,
      cells: {
        Attacher: (va) => str(get(va, 'spec', 'attacher')),
        PV: (va) => str(get(va, 'spec', 'source', 'persistentVolumeName')),
        Node: (va) => str(get(va, 'spec', 'nodeName')),
        Attached: (va) => bool(get(va, 'status', 'attached')),
      },
      subresources: { status: { strategy: subresourceStrategy(volumeAttachmentStrategy) } },
    }),
  ];
}
