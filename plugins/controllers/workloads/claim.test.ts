import { describe, expect, it } from 'vitest';
import { labelQueryFromSet, type KubeObject } from '../../../internal/api/index.js';
import { byOwnerUid, Indexer, OWNER_UID_INDEX } from '../../../internal/client/index.js';
import { byOrphanNamespace, claim, claimCandidates, ORPHAN_INDEX } from './claim.js';

const rs = (uid: string, ns = 'a'): KubeObject => ({ metadata: { name: uid, namespace: ns, uid } });
const ref = (uid: string, controller: boolean) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller });
const pod = (name: string, ns: string, labels: Record<string, string>, refs: ReturnType<typeof ref>[] = []): KubeObject => ({
  metadata: { name, namespace: ns, uid: `u-${name}`, labels, ...(refs.length ? { ownerReferences: refs } : {}) },
});

describe('claimCandidates', () => {
  const pods = [
    pod('mine', 'a', { app: 'x' }, [ref('r1', true)]),
    pod('mine-relabelled', 'a', { app: 'other' }, [ref('r1', true)]),
    pod('orphan', 'a', { app: 'x' }),
    pod('orphan-nomatch', 'a', { app: 'y' }),
    pod('other-ns-orphan', 'b', { app: 'x' }),
    pod('theirs', 'a', { app: 'x' }, [ref('r2', true)]),
    pod('weak-ref', 'a', { app: 'x' }, [ref('r1', false)]),
  ];
  const idx = new Indexer();
  idx.addIndex(OWNER_UID_INDEX, byOwnerUid);
  idx.addIndex(ORPHAN_INDEX, byOrphanNamespace);
  for (const p of pods) idx.set(`${p.metadata.namespace}/${p.metadata.name}`, p);

  it('holds what refers to the owner and the namespace orphans, once each', () => {
    const names = claimCandidates(idx, rs('r1')).map((p) => p.metadata.name).sort();
    expect(names).toEqual(['mine', 'mine-relabelled', 'orphan', 'orphan-nomatch', 'weak-ref']);
  });

  it('claims exactly what claiming over the whole namespace claims', () => {
    const sel = labelQueryFromSet({ app: 'x' });
    const sorted = (c: ReturnType<typeof claim>) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, (v as KubeObject[]).map((p) => p.metadata.name).sort()]));
    for (const owner of [rs('r1'), rs('r2'), rs('r3')]) {
      const whole = claim(owner, sel, idx.list('a'));
      expect(sorted(claim(owner, sel, claimCandidates(idx, owner)))).toEqual(sorted(whole));
    }
  });
});
