// The client-visible record of a simulation run: what each client asked, when, and what it got back.
// Values are strings (unique per write in the simulator's workload) so a read names the write it saw.

/** One client request against the KV store. Keys are per-partition units of the linearizability check. */
export type KvInput =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expectedModRevision: number }
  | { kind: 'delete'; key: string; expectedModRevision?: number }
  | { kind: 'get'; key: string };

/** The state of one key as a reader sees it. */
export interface KvValue {
  value: string;
  modRevision: number;
}

/**
 * What came back. `revision` of a successful write is the revision the write created; of a failed write
 * or a read it is the store's revision at the moment the request was served (etcd's header revision).
 */
export type KvOutput =
  | { kind: 'write'; succeeded: boolean; revision: number }
  | { kind: 'get'; revision: number; kv?: KvValue };

/**
 * One operation. `call` and `ret` are positions on one global, strictly increasing timeline (the
 * simulator's event sequence), so "a returned before b was called" is exactly `a.ret < b.call`.
 * `ret`/`output` are undefined for an indeterminate operation (the client timed out): it may or may not
 * have taken effect, at any point after `call`.
 */
export interface HistoryOp {
  id: number;
  client: number;
  input: KvInput;
  call: number;
  ret?: number;
  output?: KvOutput;
  /** The node that served the request (diagnostics only). */
  node?: number;
  /** Set when the node refused the request before executing it: the op is not part of the history. */
  void?: boolean;
}

export function isDeterminate(op: HistoryOp): op is HistoryOp & { ret: number; output: KvOutput } {
  return op.ret !== undefined && op.output !== undefined;
}

export function describeOp(op: HistoryOp): string {
  const i = op.input;
  const args =
    i.kind === 'create'
      ? `${i.key}=${i.value}`
      : i.kind === 'update'
        ? `${i.key}=${i.value} if mod=${i.expectedModRevision}`
        : i.kind === 'delete'
          ? `${i.key}${i.expectedModRevision === undefined ? '' : ` if mod=${i.expectedModRevision}`}`
          : i.key;
  const o = op.output;
  const out =
    o === undefined
      ? 'TIMEOUT'
      : o.kind === 'write'
        ? `${o.succeeded ? 'ok' : 'fail'} rev=${o.revision}`
        : `${o.kv ? `${o.kv.value}@${o.kv.modRevision}` : 'absent'} hdr=${o.revision}`;
  const node = op.node === undefined ? '' : ` n${op.node}`;
  return `#${op.id} c${op.client}${node} [${op.call}..${op.ret ?? '∞'}] ${i.kind}(${args}) -> ${out}`;
}
