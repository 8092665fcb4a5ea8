import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../util/index.js';
import { runBackendConformance } from '../../storage/testing/index.js';
import { createMemoryBackend } from './memory-backend.js';

// A tiny ring, so catch-up from the store's history (not just the ring) is exercised too.
runBackendConformance('memory', () => createMemoryBackend({ ringMaxEvents: 8, watcherMaxEvents: 50 }), { watcherQueueLimit: 50 });

describe('memory backend compaction option', () => {
  it('compacts periodically from the injected clock when enabled', async () => {
    const clock = new FakeClock(0);
    const be = createMemoryBackend({ clock, compaction: { intervalMs: 1000, retentionMs: 2000, minRetainRevisions: 1 } });
    let cur = await be.create('/a', new Uint8Array([0]));
    for (let i = 1; i <= 5; i++) {
      cur = await be.update('/a', new Uint8Array([i]), cur.revision);
      clock.advance(1000);
      await Promise.resolve();
    }
    const { revision, compactRevision } = await be.currentRevision();
    expect(compactRevision).toBeGreaterThan(0);
    expect(compactRevision).toBeLessThan(revision);
    expect((await be.get('/a', { revision: compactRevision })).kv?.modRevision).toBeLessThanOrEqual(compactRevision);
    await be.close();
  });
});
