import { describe, expect, it } from 'vitest';
import type { Op } from '../../storage/index.js';
import { opCodec } from './op-codec.js';

describe('opCodec', () => {
  it('round-trips every op kind, values as raw bytes', () => {
    const ops: Op[] = [
      { op: 'create', key: '/registry/pods/ns/ä', value: new Uint8Array([0, 255, 10]), lease: 2 ** 44 + 5 },
      { op: 'update', key: '/k', value: new Uint8Array(), expectedModRevision: 77, lease: 0 },
      { op: 'delete', key: '/k' },
      { op: 'delete', key: '/k', expectedModRevision: 78 },
      { op: 'compact', revision: 1000 },
      { op: 'leaseGrant', id: 9, ttlSeconds: 60, expiresAtMs: 1_800_000_000_000 },
      { op: 'leaseRevoke', id: 9 },
      { op: 'create', key: '/a', value: new Uint8Array([1]), lease: 0, guard: { key: '/registry/coordination.k8s.io/leases/kube-system/x', modRevision: 41 } },
      { op: 'update', key: '/a', value: new Uint8Array([2]), expectedModRevision: 5, lease: 3, guard: { key: '/l', modRevision: 0 } },
      { op: 'delete', key: '/a', guard: { key: '/l', modRevision: 7 } },
      { op: 'delete', key: '/a', expectedModRevision: 6, guard: { key: '/l', modRevision: 7 } },
    ];
    for (const op of ops) {
      const back = opCodec.decode(opCodec.encode(op));
      expect({ ...back, ...('value' in back ? { value: [...back.value] } : {}) }).toEqual({ ...op, ...('value' in op ? { value: [...op.value] } : {}) });
    }
  });

  it('refuses unknown kinds and trailing bytes', () => {
    expect(() => opCodec.decode(new Uint8Array([42]))).toThrow(/unknown op/);
    const b = opCodec.encode({ op: 'compact', revision: 1 });
    expect(() => opCodec.decode(new Uint8Array([...b, 1]))).toThrow(/trailing/);
    // A guard only fences writes.
    const guarded = opCodec.encode({ op: 'delete', key: '/l', guard: { key: '/g', modRevision: 1 } });
    const guardPart = guarded.slice(0, guarded.length - opCodec.encode({ op: 'delete', key: '/l' }).length);
    expect(() => opCodec.decode(new Uint8Array([...guardPart, ...b]))).toThrow(/a guard on op kind 5/);
  });
});
