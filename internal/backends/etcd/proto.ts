import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { packageRoot } from '../../util/index.js';

/**
 * etcd's v3 API messages as @grpc/proto-loader decodes them (camelCase fields, int64 as number:
 * revisions and lease ids stay far below 2^53, enums as their names). Only the fields kplane reads.
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

/** The four services kplane uses, each a client constructor bound to one channel per endpoint. */
export interface EtcdServices {
  KV: grpc.ServiceClientConstructor;
  Watch: grpc.ServiceClientConstructor;
  Lease: grpc.ServiceClientConstructor;
  Maintenance: grpc.ServiceClientConstructor;
}

let services: EtcdServices | undefined;

/** Loads the vendored .proto files (third_party/etcd, one pinned etcd release) once. */
export function etcdServices(): EtcdServices {
  if (services) return services;
  const def = loadSync('etcdserverpb/rpc.proto', {
    includeDirs: [join(packageRoot(), 'third_party', 'etcd', 'api')],
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = (grpc.loadPackageDefinition(def) as unknown as { etcdserverpb: Record<string, grpc.ServiceClientConstructor> }).etcdserverpb;
  services = { KV: pkg.KV!, Watch: pkg.Watch!, Lease: pkg.Lease!, Maintenance: pkg.Maintenance! };
  return services;
}
