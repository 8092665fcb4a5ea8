// Entry of the worker thread that creates a data directory's certificates (ensureCredentialsOffThread):
// the signing work and node-forge live and die with this thread's heap.
import { workerData } from 'node:worker_threads';
import { ensureCredentials, type ServingOptions } from './credentials.js';

const { dataDir, opts } = workerData as { dataDir: string; opts: ServingOptions };
ensureCredentials(dataDir, opts);
