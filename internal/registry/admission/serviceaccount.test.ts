import { describe, expect, it } from 'vitest';
import { ApiError, type KubeObject } from '../../api/index.js';
import type { AdmissionAttributes } from '../admission.js';
import type { ResourceDefinition } from '../definition.js';
import { findServiceAccount, serviceAccountAdmission, type ServiceAccountLookup } from './serviceaccount.js';

const PODS = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true } as unknown as ResourceDefinition;
const attrs = (spec: Record<string, unknown>): AdmissionAttributes => ({
  operation: 'CREATE', definition: PODS, namespace: 'team', name: 'p', object: { metadata: { name: 'p', namespace: 'team' }, spec: { containers: [{ name: 'c' }], ...spec } }, user: { name: 'alice', groups: [] }, dryRun: false,
});
const sa = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { name, namespace: 'team' }, ...extra });

/** A lookup whose storage has `stored` after `appearsAfter` consistent reads; counts reads and waits. */
function lookup(stored: KubeObject[], opts: { inCache?: boolean; appearsAfter?: number } = {}) {
  const calls = { cached: 0, latest: 0, slept: [] as number[] };
  const l: ServiceAccountLookup = {
    cached: async (_ns, name) => { calls.cached++; return opts.inCache ? stored.find((s) => s.metadata.name === name) : undefined; },
    latest: async (_ns, name) => { calls.latest++; return calls.latest > (opts.appearsAfter ?? 0) ? stored.find((s) => s.metadata.name === name) : undefined; },
    sleep: async (ms) => { calls.slept.push(ms); },
    random: () => 0.5,
    defaultWaitMs: 1500,
  };
  return { l, calls };
}

describe('ServiceAccount admission', () => {
  it('refuses a pod whose named account does not exist after one consistent read, with upstream message', async () => {
    const { l, calls } = lookup([]);
    const err = await Promise.resolve().then(() => serviceAccountAdmission(l).admit!(attrs({ serviceAccountName: 'robot' }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(403);
    expect((err as ApiError).message).toBe('pods "p" is forbidden: error looking up service account team/robot: serviceaccount "robot" not found');
    expect(calls).toEqual({ cached: 1, latest: 1, slept: [] });
  });

  it('waits for a default account the controller has not created yet, then admits', async () => {
    const { l, calls } = lookup([sa('default')], { appearsAfter: 3 });
    const a = attrs({});
    await serviceAccountAdmission(l).admit!(a);
    expect((a.object!.spec as { serviceAccountName: string }).serviceAccountName).toBe('default');
    expect(calls.latest).toBe(4);
    expect(calls.slept).toEqual([150, 150, 150]);
  });

  it('gives up on a missing default account after the bounded wait', async () => {
    const { l, calls } = lookup([]);
    const err = await Promise.resolve().then(() => serviceAccountAdmission(l).admit!(attrs({}))).catch((e: unknown) => e);
    expect((err as ApiError).message).toContain('error looking up service account team/default: serviceaccount "default" not found');
    expect(calls.latest).toBe(10); // 1500 ms / 150 ms
    expect(calls.slept.reduce((x, y) => x + y, 0)).toBe(1350);
  });

  it('reads only the cache when the account is there; copies its imagePullSecrets and mounts the token', async () => {
    const { l, calls } = lookup([sa('default', { imagePullSecrets: [{ name: 'reg' }] })], { inCache: true });
    const a = attrs({});
    await serviceAccountAdmission(l).admit!(a);
    const spec = a.object!.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(calls.latest).toBe(0);
    expect(spec.imagePullSecrets).toEqual([{ name: 'reg' }]);
    expect(spec.volumes[0].name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: spec.volumes[0].name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  });

  it('an account that opts out of automounting gets no token volume; mirror pods are not looked up', async () => {
    const { l, calls } = lookup([sa('quiet', { automountServiceAccountToken: false })], { inCache: true });
    const a = attrs({ serviceAccountName: 'quiet' });
    await serviceAccountAdmission(l).admit!(a);
    expect((a.object!.spec as { volumes?: unknown }).volumes).toBeUndefined();
    const mirror = attrs({ serviceAccountName: 'nobody' });
    mirror.object!.metadata.annotations = { 'kubernetes.io/config.mirror': 'x' };
    await serviceAccountAdmission(l).admit!(mirror);
    expect(calls.cached).toBe(1);
  });

  it('findServiceAccount finds an account written just now that the cache has not seen', async () => {
    const { l } = lookup([sa('robot')]);
    expect((await findServiceAccount(l, 'team', 'robot'))?.metadata.name).toBe('robot');
  });
});
