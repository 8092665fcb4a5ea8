import type { Client } from '../../../internal/client/index.js';
import { tolerate } from '../shared/plugin.js';
import { ENDPOINTSLICES } from '../shared/refs.js';
import type { SlicePlan } from './plan.js';

/** Writes a slice plan: deletes first (uid precondition), then updates, then creates. */
export async function applyPlan(client: Client, namespace: string, plan: SlicePlan): Promise<void> {
  for (const s of plan.delete) {
    await tolerate(() => client.delete(ENDPOINTSLICES, namespace, s.metadata.name!, { preconditions: { uid: s.metadata.uid } }), 'NotFound', 'Conflict');
  }
  for (const s of plan.update) await client.update(ENDPOINTSLICES, namespace, s);
  for (const s of plan.create) await client.create(ENDPOINTSLICES, namespace, s);
}
