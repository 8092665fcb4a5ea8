/**
 * etcd's v3 API answers as codec.ts decodes them (camelCase fields, int64 as number: revisions and
 * lease ids stay far below 2^53, enums as their names). Only the fields kplane reads.
 */
export interface PbKeyValue {
  key: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
  value: Buffer;
  lease: number;
}

export interface PbHeader {
  clusterId: number;
  memberId: number;
  revision: number;
  raftTerm: number;
}

export interface PbRangeResponse {
  header: PbHeader;
  kvs: PbKeyValue[];
  more: boolean;
  count: number;
}

export interface PbResponseOp {
  response: 'responseRange' | 'responsePut' | 'responseDeleteRange' | 'responseTxn';
  responseRange?: PbRangeResponse;
  responseDeleteRange?: { header: PbHeader; deleted: number; prevKvs: PbKeyValue[] };
}

export interface PbTxnResponse {
  header: PbHeader;
  succeeded: boolean;
  responses: PbResponseOp[];
}

export interface PbEvent {
  type: 'PUT' | 'DELETE';
  kv: PbKeyValue;
  prevKv: PbKeyValue | null;
}

export interface PbWatchResponse {
  header: PbHeader;
  watchId: number;
  created: boolean;
  canceled: boolean;
  compactRevision: number;
  cancelReason: string;
  fragment: boolean;
  events: PbEvent[];
}

export interface PbStatusResponse {
  header: PbHeader;
  version: string;
  leader: number;
  errors: string[];
}
