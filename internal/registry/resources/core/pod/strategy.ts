import { type FieldError, type KubeObject, fieldErrors } from '../../../../api/index.js';
import { clone, deepEqual, get, isObj, objs, str, type Obj } from '../../shared/object.js';
import { validatePodSpec } from '../../shared/pod-spec-validation.js';
import { type StrategySpec, type SubStrategyOptions, defineStrategy, subresourceStrategy } from '../../shared/strategy.js';
import { DEFAULT_TOLERATION_SECONDS, type PodTolerationSeconds, defaultPod, podQOS } from './defaults.js';

const UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * Pod spec is immutable except images, activeDeadlineSeconds, added tolerations and
 * terminationGracePeriodSeconds (pods/binding sets spec.nodeName bypassing the strategy).
 */
function validateSpecUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const next = clone(isObj(pod.spec) ? pod.spec : {}) as Obj;
  const prev = isObj(old.spec) ? old.spec : {};
  for (const key of ['containers', 'initContainers']) {
    const before = objs(prev[key]);
    objs(next[key]).forEach((c, i) => {
      if (before[i]) c.image = before[i]!.image;
    });
  }
  for (const key of ['activeDeadlineSeconds', 'terminationGracePeriodSeconds', 'ephemeralContainers']) {
    if (prev[key] === undefined) delete next[key];
    else next[key] = prev[key];
  }
  const oldTolerations = objs(prev.tolerations);
  const kept = oldTolerations.every((t) => objs(next.tolerations).some((n) => deepEqual(n, t)));
  if (kept) next.tolerations = prev.tolerations;
  return deepEqual(next, prev) ? [] : [fieldErrors.forbidden('spec', UPDATE_FORBIDDEN)];
}

const podSpec: StrategySpec = {
  namespaced: true,
  status: true,
  onCreate(pod) {
    pod.status = { phase: 'Pending', qosClass: podQOS(pod) };
  },
  validate: (pod) => validatePodSpec(pod.spec, 'spec'),
  validateUpdate: validateSpecUpdate,
  selectableFields(pod) {
    return {
      'spec.nodeName': str(get(pod, 'spec', 'nodeName')),
      'spec.restartPolicy': str(get(pod, 'spec', 'restartPolicy')),
      'spec.schedulerName': str(get(pod, 'spec', 'schedulerName')),
      'spec.serviceAccountName': str(get(pod, 'spec', 'serviceAccountName')),
      'spec.hostNetwork': String(get(pod, 'spec', 'hostNetwork') === true),
      'status.phase': str(get(pod, 'status', 'phase')),
      'status.podIP': str(get(pod, 'status', 'podIP')),
      'status.podIPs': str(get(pod, 'status', 'podIPs', 0, 'ip')),
      'status.nominatedNodeName': str(get(pod, 'status', 'nominatedNodeName')),
    };
  },
  gracePeriodSeconds(pod, requested) {
    // Unscheduled or finished pods have no kubelet to wait for: they go at once.
    const phase = str(get(pod, 'status', 'phase'));
    if (!str(get(pod, 'spec', 'nodeName')) || phase === 'Failed' || phase === 'Succeeded') return 0;
    const period = requested ?? (get(pod, 'spec', 'terminationGracePeriodSeconds') as number | undefined) ?? 30;
    return period < 0 ? 1 : period;
  },
};

const podStatus: SubStrategyOptions = {
  validate(pod) {
    const phases = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];
    const phase = get(pod, 'status', 'phase');
    return phase === undefined || phases.includes(str(phase)) ? [] : [fieldErrors.notSupported('status.phase', phase, phases)];
  },
};

/** pods/ephemeralcontainers: only spec.ephemeralContainers may change. */
const podEphemeralContainers: SubStrategyOptions = {
  writable: [],
  afterKeep(pod, _old, incoming) {
    const ephemeral = get(incoming, 'spec', 'ephemeralContainers');
    if (isObj(pod.spec)) {
      if (ephemeral === undefined) delete pod.spec.ephemeralContainers;
      else pod.spec.ephemeralContainers = ephemeral;
    }
  },
};

const RESIZABLE = ['cpu', 'memory'];

/**
 * pods/resize (in-place resize, beta and on by default in 1.33): only the resources and resizePolicy
 * of app containers and sidecars change, only cpu and memory, and the QoS class stays.
 */
const podResize: SubStrategyOptions = {
  writable: [],
  afterKeep(pod, _old, incoming) {
    for (const key of ['containers', 'initContainers']) {
      const given = objs(get(incoming, 'spec', key));
      objs(get(pod, 'spec', key)).forEach((c, i) => {
        const g = given.find((x) => x.name === c.name) ?? given[i];
        if (!g || (key === 'initContainers' && c.restartPolicy !== 'Always')) return;
        for (const k of ['resources', 'resizePolicy']) {
          if (g[k] === undefined) delete c[k];
          else c[k] = clone(g[k]);
        }
      });
    }
  },
  validate(pod, old) {
    const errs = validatePodSpec(pod.spec, 'spec');
    for (const key of ['containers', 'initContainers']) {
      const before = objs(get(old, 'spec', key));
      objs(get(pod, 'spec', key)).forEach((c, i) => {
        for (const part of ['limits', 'requests']) {
          const now = get(c, 'resources', part);
          const was = get(before[i], 'resources', part);
          const names = new Set([...Object.keys(isObj(now) ? now : {}), ...Object.keys(isObj(was) ? was : {})]);
          for (const r of names) {
            if (!RESIZABLE.includes(r) && !deepEqual(get(now, r), get(was, r))) {
              errs.push(fieldErrors.forbidden(`spec.${key}[${i}].resources.${part}[${r}]`, 'only cpu and memory resources are mutable'));
            }
          }
        }
      });
    }
    const qos = podQOS(pod);
    const oldQos = str(get(old, 'status', 'qosClass')) || podQOS(old);
    if (qos !== oldQos) errs.push(fieldErrors.invalid('spec', qos, 'Pod QOS Class may not change as a result of resizing'));
    return errs;
  },
};

/** The pod strategies, with the tolerationSeconds DefaultTolerationSeconds admission gives new pods. */
export function podStrategies(tolerationSeconds: PodTolerationSeconds = DEFAULT_TOLERATION_SECONDS) {
  const main = defineStrategy({ ...podSpec, defaults: (pod) => defaultPod(pod, tolerationSeconds) });
  return {
    main,
    status: subresourceStrategy(main, podStatus),
    ephemeralContainers: subresourceStrategy(main, podEphemeralContainers),
    resize: subresourceStrategy(main, podResize),
  };
}
