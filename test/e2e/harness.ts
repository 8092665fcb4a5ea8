import { afterAll, beforeAll } from 'vitest';
import { removeDir, startKplane, type RunningKplane } from './processes.js';

export * from './processes.js';

/**
 * One server for the whole test file: started before the first test, stopped and its data dir
 * removed after the last. Returns a getter (the server exists only once beforeAll ran).
 */
export function useKplane(opts: Parameters<typeof startKplane>[0] = {}): () => RunningKplane {
  let kp: RunningKplane | undefined;
  beforeAll(async () => {
    kp = await startKplane(opts);
  });
  afterAll(async () => {
    await kp?.stop();
    if (kp) removeDir(kp.dataDir);
  });
  return () => {
    if (!kp) throw new Error('useKplane: the server is not started yet (use it inside a test)');
    return kp;
  };
}
