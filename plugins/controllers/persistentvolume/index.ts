import type { KubeObject } from '../../../internal/api/index.js';
import { WorkQueue, splitKey, type Lister, type ResourceRef } from '../../../internal/client/index.js';
import type { Plugin, PluginContext } from '../../../internal/plugin/index.js';
import { controller, reconcileQueue, tolerate } from '../shared/plugin.js';
import { PODS } from '../shared/refs.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, claimDecision, type ClassInfo, volumeDecision } from './decide.js';
import { boundTo, claimRefOf } from './match.js';

const PVS: ResourceRef = { group: '', version: 'v1', resource: 'persistentvolumes' };
const PVCS: ResourceRef = { group: '', version: 'v1', resource: 'persistentvolumeclaims' };
const CLASSES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses' };

type Obj = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
const phaseOf = (o: KubeObject) => (o.status as { phase?: string } | undefined)?.phase;

/** Claims a pod mounts (spec.volumes[].persistentVolumeClaim.claimName). */
function claimsOf(pod: KubeObject): string[] {
  const volumes = (pod.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)?.volumes ?? [];
  return volumes.flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

/**
 * Binds PersistentVolumeClaims to PersistentVolumes and keeps both phases (kube-controller-manager's
 * persistentvolume-binder, static binding: kplane runs no volume plugins, so volumes are created by
 * an administrator or an external provisioner, and a Released volume with reclaimPolicy Delete is
 * deleted only if a provisioner made it).
 */
export function persistentVolumeBinderPlugin(): Plugin {
  return controller('persistentvolume-binder', 'persistent-volume-binder', async (ctx) => {
    const pvs = ctx.informers.informer(PVS);
    const pvcs = ctx.informers.informer(PVCS);
    const classes = ctx.informers.informer(CLASSES);
    const pods = ctx.informers.informer(PODS);
    const queue = new WorkQueue<string>({ clock: ctx.clock });
    const claim = (ns: string | undefined, name: string | undefined) => queue.add(`claim:${ns}/${name}`);
    const volume = (name: string | undefined) => queue.add(`volume:${name}`);
    const waiting = () => {
      for (const c of pvcs.lister.list()) if (phaseOf(c) !== 'Bound') claim(c.metadata.namespace, c.metadata.name);
    };
    pvs.addEventHandler({
      onAdd: (pv) => (volume(pv.metadata.name), waiting()),
      onUpdate: (_, pv) => (volume(pv.metadata.name), waiting()),
      onDelete: (pv) => {
        const ref = claimRefOf(pv);
        if (ref) claim(ref.namespace, ref.name);
      },
    });
    const claimChanged = (c: KubeObject) => {
      claim(c.metadata.namespace, c.metadata.name);
      const named = (c.spec as { volumeName?: string } | undefined)?.volumeName;
      if (named) volume(named);
    };
    pvcs.addEventHandler({
      onAdd: claimChanged,
      onUpdate: (_, c) => claimChanged(c),
      onDelete: (c) => {
        for (const pv of pvs.lister.list()) if (claimRefOf(pv)?.name === c.metadata.name && claimRefOf(pv)?.namespace === c.metadata.namespace) volume(pv.metadata.name);
      },
    });
    classes.addEventHandler({ onAdd: waiting, onUpdate: waiting });
    const podChanged = (p: KubeObject) => {
      if ((p.spec as { nodeName?: string } | undefined)?.nodeName) for (const name of claimsOf(p)) claim(p.metadata.namespace, name);
    };
    pods.addEventHandler({ onAdd: podChanged, onUpdate: (_, p) => podChanged(p) });
    await reconcileQueue(ctx, queue, 2, async (key) => {
      const [kind, rest] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      if (kind === 'volume') return syncVolume(ctx, pvs.lister, pvcs.lister, rest);
      const { namespace, name } = splitKey(rest);
      const pvc = pvcs.lister.get(namespace, name);
      if (!pvc) return;
      const byName = new Map(pvs.lister.list().map((pv) => [pv.metadata.name!, pv]));
      const infos = new Map<string, ClassInfo>(classes.lister.list().map((c) => [c.metadata.name!, c as ClassInfo]));
      const scheduled = () => pods.lister.list(namespace).some((p) => !!(p.spec as { nodeName?: string } | undefined)?.nodeName && claimsOf(p).includes(name));
      const d = claimDecision(pvc, byName, infos, scheduled);
      if (d.action === 'pending') ctx.events.event(pvc, d.event.type, d.event.reason, 'Binding', d.event.message);
      if (d.action === 'lost') {
        await tolerate(() => ctx.client.update(PVCS, namespace, { ...pvc, status: { ...(pvc as Obj).status, phase: 'Lost' } } as KubeObject, { subresource: 'status' }), 'NotFound');
        ctx.events.event(pvc, 'Warning', 'ClaimLost', 'Binding', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      }
      if (d.action === 'bind') await bind(ctx, pvc as Obj, d.volume as Obj);
    });
  });
}

/** Writes both halves of a binding: the volume's claimRef and phase, then the claim's volumeName and phase. */
async function bind(ctx: PluginContext, pvc: Obj, pv: Obj): Promise<void> {
  const ns = pvc.metadata.namespace;
  let vol = pv;
  if (!boundTo(pv, pvc) || !claimRefOf(pv)?.uid) {
    const ref = { kind: 'PersistentVolumeClaim', namespace: ns, name: pvc.metadata.name, uid: pvc.metadata.uid, apiVersion: 'v1', resourceVersion: pvc.metadata.resourceVersion };
    const annotations = claimRefOf(pv) ? pv.metadata.annotations : { ...pv.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    vol = (await ctx.client.update(PVS, undefined, { ...pv, metadata: { ...pv.metadata, annotations }, spec: { ...pv.spec, claimRef: ref } } as KubeObject)) as Obj;
  }
  if (phaseOf(vol) !== 'Bound') vol = (await ctx.client.update(PVS, undefined, { ...vol, status: { ...vol.status, phase: 'Bound' } } as KubeObject, { subresource: 'status' })) as Obj;
  let claim = pvc;
  const named = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
  if (named !== pv.metadata.name || pvc.metadata.annotations?.[ANN_BIND_COMPLETED] !== 'yes') {
    const annotations = { ...pvc.metadata.annotations, [ANN_BIND_COMPLETED]: 'yes', ...(named ? {} : { [ANN_BOUND_BY_CONTROLLER]: 'yes' }) };
    claim = (await ctx.client.update(PVCS, ns, { ...pvc, metadata: { ...pvc.metadata, annotations }, spec: { ...pvc.spec, volumeName: pv.metadata.name } } as KubeObject)) as Obj;
  }
  if (phaseOf(claim) !== 'Bound') {
    const status = { ...claim.status, phase: 'Bound', accessModes: vol.spec?.accessModes, capacity: vol.spec?.capacity };
    await ctx.client.update(PVCS, ns, { ...claim, status } as KubeObject, { subresource: 'status' });
  }
  ctx.log.info({ claim: `${ns}/${pvc.metadata.name}`, volume: pv.metadata.name }, 'bound a claim to a volume');
}

async function syncVolume(ctx: PluginContext, pvs: Lister, pvcs: Lister, name: string): Promise<void> {
  const pv = pvs.get(undefined, name);
  if (!pv) return;
  const ref = claimRefOf(pv);
  const d = volumeDecision(pv, ref ? pvcs.get(ref.namespace, ref.name ?? '') : undefined);
  if (d.action === 'delete') {
    const pre = { uid: pv.metadata.uid, resourceVersion: pv.metadata.resourceVersion };
    await tolerate(() => ctx.client.delete(PVS, undefined, name, { preconditions: pre }), 'NotFound', 'Conflict');
  }
  if (d.action !== 'phase') return;
  const status = { ...((pv as Obj).status ?? {}), phase: d.phase, ...(d.message ? { message: d.message } : {}) };
  if (!d.message) delete (status as { message?: string }).message;
  await tolerate(() => ctx.client.update(PVS, undefined, { ...pv, status } as KubeObject, { subresource: 'status' }), 'NotFound');
  if (d.phase === 'Failed') ctx.events.event(pv, 'Warning', 'VolumeFailedDelete', 'Delete', d.message ?? '');
}
