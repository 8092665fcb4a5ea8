// Entry of the raft engine worker thread (see WorkerEngine): runs RaftEngine with the websocket
// transport and its own peer listener, and relays host callbacks to the parent thread as messages.
import { parentPort, workerData } from 'node:worker_threads';
import type { Entry } from '../raft/index.js';
import { RaftEngine, type EngineHost } from './engine.js';
import { StatusReporter } from './status-report.js';
import { batchedPoster, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';
import { WsTransport, listenRaftPeers } from './ws-transport.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const outbox = batchedPoster<FromWorker>((batch) => port.postMessage(batch));
/**
 * 'seen' messages wait here until anything else goes to the parent (they go first, so the order
 * holds) or the next tick. The parent needs a batch's log position only for what comes after it:
 * the entry's commit, a leader change, a refused proposal, and each of those empties this first.
 * With one write at a time, 'seen' then rides with 'committed': one wake-up of the parent per
 * write instead of two.
 */
let heldSeen: FromWorker[] = [];
const releaseSeen = () => {
  const held = heldSeen;
  heldSeen = [];
  for (const m of held) outbox.post(m);
};
const post = (m: FromWorker) => {
  if (heldSeen.length > 0) releaseSeen();
  outbox.post(m);
};
/** The parent's applied index (shared memory), and the index of the last image handed to it to install. */
const sharedApplied = new BigInt64Array(init.applied);
let installed = init.appliedIndex;
let nextImage = 1;
const images = new Map<number, { resolve: (v: { index: number; term: number }) => void; reject: (e: Error) => void }>();

const host: EngineHost = {
  appliedIndex: () => Math.max(installed, Number(Atomics.load(sharedApplied, 0))),
  committed: (entries: Entry[]) => post({ t: 'committed', entries }),
  installImage: (path, index, term) => {
    // The parent installs it before any later entry; count it as applied here for snapshot decisions.
    installed = Math.max(installed, index);
    post({ t: 'install', path, index, term });
  },
  seen: (batch, index, term) => void heldSeen.push({ t: 'seen', batch, index, term }),
  readState: (ctx, index) => post({ t: 'readState', ctx, index }),
  softState: (leader, role) => post({ t: 'soft', leader, role }),
  confApplied: (cc, conf) => post({ t: 'conf', cc, conf }),
  saveImage: (path) =>
    new Promise((resolve, reject) => {
      const id = nextImage++;
      images.set(id, { resolve, reject });
      post({ t: 'saveImage', id, path });
    }),
  failed: (err) => post({ t: 'failed', message: err.message }),
  // Per Ready, not per pump: a pump may go on to fsync the next Ready, and the parent should not
  // wait for that to apply this one.
  readyDone: outbox.flush,
  // Status for RaftNode.status() and `kplane status`: checked every tick, sent when it changed
  // (at least every 10 ticks); /readyz follows the 'soft' messages, not this.
  ticked: () => {
    if (heldSeen.length > 0) releaseSeen();
    reporter.tick(engine.status(), engine.stats);
  },
};
const reporter = new StatusReporter((status, stats) => post({ t: 'status', status, stats }));

const logger = {
  info: (msg: string, fields?: Record<string, unknown>) => post({ t: 'log', level: 'info', msg, fields }),
  warn: (msg: string, fields?: Record<string, unknown>) => post({ t: 'log', level: 'warn', msg, fields }),
};
const transport = new WsTransport({ id: init.engine.id, tls: init.worker.tls, clusterId: init.worker.clusterId, logger });
const engine = new RaftEngine(
  { ...init.engine, bootstrap: init.engine.bootstrap ? new Map(init.engine.bootstrap) : undefined, peers: init.engine.peers ? new Map(init.engine.peers) : undefined, transport, logger },
  host,
);
const server = listenRaftPeers(init.worker.listen, init.worker.tls, transport);

port.on('message', (batch: ToWorker[]) => {
  for (const m of batch) handle(m);
});

function handle(m: ToWorker): void {
  switch (m.t) {
    case 'start':
      engine.start();
      return;
    case 'propose': {
      const r = engine.propose(m.batch, m.data);
      // NoLeader: the core refused it before sending anything, so the host may queue it again.
      if (r === 'requeue') post({ t: 'proposeFailed', batch: m.batch, code: 'NoLeader', message: 'no leader or leadership transfer in progress; retry' });
      else if (r instanceof Error) post({ t: 'proposeFailed', batch: m.batch, code: 'Dropped', message: r.message });
      return;
    }
    case 'readIndex':
      engine.readIndex(m.ctx);
      return;
    case 'conf':
      engine.proposeConfChange(m.cc);
      return;
    case 'transfer':
      engine.transferLeadership(m.to);
      return;
    case 'imageSaved':
      images.get(m.id)?.resolve({ index: m.index, term: m.term });
      images.delete(m.id);
      return;
    case 'imageFailed':
      images.get(m.id)?.reject(new Error(m.message));
      images.delete(m.id);
      return;
    case 'snapshot':
      engine.takeSnapshot().then(
        (value) => post({ t: 'done', id: m.id, value }),
        (err: Error) => post({ t: 'done', id: m.id, value: 0, error: err.message }),
      );
      return;
    case 'stop':
      void engine
        .stop(m.transfer)
        .then(() => new Promise<void>((resolve) => server.close(() => resolve())))
        .then(
          () => post({ t: 'done', id: m.id, value: 0 }),
          (err: Error) => post({ t: 'done', id: m.id, value: 0, error: err.message }),
        );
      return;
  }
}
