import { runBackendConformance } from '../../storage/testing/index.js';
import { createMemoryBackend } from './memory-backend.js';

// A tiny ring, so catch-up from the store's history (not just the ring) is exercised too.
runBackendConformance('memory', () => createMemoryBackend({ ringMaxEvents: 8, watcherMaxEvents: 50 }), { watcherQueueLimit: 50 });
