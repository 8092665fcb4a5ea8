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
  });
});
