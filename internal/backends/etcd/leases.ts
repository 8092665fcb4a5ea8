import { randomBytes } from 'node:crypto';
import type { EtcdConnection } from './connection.js';

/**
 * Grants an etcd lease with an id chosen here below 2^53: etcd's own ids use all 63 bits, which a
 * JavaScript number (the Backend's lease type) cannot hold exactly. A clash with an existing
 * lease (about 1 in 2^53 per grant) is answered "lease already exists" and retried with another id.
 */
export async function grantLease(conn: EtcdConnection, ttlSeconds: number, what: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const id = Number(randomBytes(8).readBigUInt64BE(0) >> 11n) || 1;
    try {
      const r = await conn.call<{ ID: number }>('Lease', 'LeaseGrant', { TTL: ttlSeconds, ID: id }, what, false);
      return r.ID;
    } catch (err) {
      if (attempt < 3 && /lease already exists/.test(String(err))) continue;
      throw err;
    }
  }
}
