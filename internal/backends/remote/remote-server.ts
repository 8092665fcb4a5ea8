import type { Backend } from '../../storage/index.js';
import { StorageError } from '../../storage/index.js';
import type { RpcChannel } from './channel.js';
import { batchOut, errorOut, kvOutOpt, unb64, type AdmitRequest, type Reply, type Request } from './protocol.js';

export interface BackendServiceOptions {
  /** A watch whose messages wait unsent beyond this many bytes is cut with Compacted (its client relists). Default 16 MiB. */
  maxBufferedBytes?: number;
  /** Answers the 'cluster' request (RemoteBackend.cluster): the member's committed membership. */
  describe?: () => unknown;
  /** Answers the 'leave' request: removes the calling node (known from its certificate) from the membership. */
  leave?: () => Promise<unknown>;
  /** Answers the 'admit' request: adds a new node to the membership for the calling node. */
  admit?: (req: AdmitRequest) => Promise<unknown>;
}

/**
 * Serves `backend` to one remote client (a spare) over `ch`: each request runs against the member's
 * own Backend, so reads get its linearizable barrier (raftsqlite: ReadIndex) and writes go through
 * its Raft proposals, exactly as for its own API. Watches stream from the member's local replica.
 * Everything the channel carried ends when it closes (watches are aborted).
 */
export function serveBackend(backend: Backend, ch: RpcChannel, opts: BackendServiceOptions = {}): void {
  const maxBuffered = opts.maxBufferedBytes ?? 16 << 20;
  const watches = new Map<number, AbortController>();
  const reply = (r: Reply) => ch.send(JSON.stringify(r));
  ch.onClose(() => {
    for (const ac of watches.values()) ac.abort();
    watches.clear();
  });
  ch.onMessage((text) => {
    let req: Request;
    try {
      req = JSON.parse(text) as Request;
    } catch {
      return ch.close(); // not our protocol
    }
    if (req.m === 'watch') return void runWatch(req);
    if (req.m === 'cancel') {
      watches.get(req.id)?.abort();
      watches.delete(req.id);
      return;
    }
    unary(req).then(
      (ok) => reply({ id: req.id, ok: ok ?? null }),
      (err: unknown) => reply({ id: req.id, err: errorOut(err) }),
    );
  });

  async function unary(req: Exclude<Request, { m: 'watch' | 'cancel' }>): Promise<unknown> {
    switch (req.m) {
      case 'get': {
        const r = await backend.get(req.key, req.opts);
        return { revision: r.revision, kv: kvOutOpt(r.kv) };
      }
      case 'list': {
        const r = await backend.list(req.prefix, req.opts);
        return { ...r, kvs: r.kvs.map((kv) => kvOutOpt(kv)) };
      }
      case 'create': {
        const r = await backend.create(req.key, unb64(req.value), { ...(req.lease ? { lease: req.lease } : {}), ...(req.guard ? { guard: req.guard } : {}) });
        return { ...r, kv: kvOutOpt(r.kv) };
      }
      case 'update': {
        const r = await backend.update(req.key, unb64(req.value), req.expected, { ...(req.lease ? { lease: req.lease } : {}), ...(req.guard ? { guard: req.guard } : {}) });
        return { ...r, kv: kvOutOpt(r.kv) };
      }
      case 'delete': {
        const r = await backend.delete(req.key, { ...(req.expected !== undefined ? { expectedModRevision: req.expected } : {}), ...(req.guard ? { guard: req.guard } : {}) });
        return { ...r, kv: kvOutOpt(r.kv) };
      }
      case 'grantLease':
        return backend.grantLease(req.ttl);
      case 'currentRevision':
        return backend.currentRevision();
      case 'compact':
        await backend.compact(req.revision);
        return null;
      case 'cluster':
        if (!opts.describe) throw new Error('this member does not describe its cluster');
        return opts.describe();
      case 'leave':
        if (!opts.leave) throw new Error('this member does not remove spares');
        return opts.leave();
      case 'admit':
        if (!opts.admit) throw new Error('this member does not admit nodes');
        return opts.admit({ nodeId: req.nodeId, role: req.role, address: req.address, ...(req.domain ? { domain: req.domain } : {}) });
    }
  }

  async function runWatch(req: Extract<Request, { m: 'watch' }>): Promise<void> {
    const ac = new AbortController();
    watches.set(req.id, ac);
    try {
      // The client resumes elsewhere from the last revision it got; "from now" (after 0) stays the
      // member's own now, with no barrier in front of it, so a write that follows is always seen.
      if (req.after > 0) reply({ id: req.id, started: req.after });
      for await (const b of backend.watch(req.prefix, { afterRevision: req.after, signal: ac.signal, progressIntervalMs: req.progressMs })) {
        if (ch.bufferedBytes() > maxBuffered) throw new StorageError('Compacted', 'remote watcher too slow; relist');
        reply({ id: req.id, batch: batchOut(b) });
      }
      if (!ac.signal.aborted) reply({ id: req.id, end: true });
    } catch (err) {
      if (!ac.signal.aborted) reply({ id: req.id, err: errorOut(err) });
    } finally {
      ac.abort();
      watches.delete(req.id);
    }
  }
}
