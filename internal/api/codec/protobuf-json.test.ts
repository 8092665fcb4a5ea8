import { describe, expect, it } from 'vitest';
import { decodeProtobufObject, encodeProtobufObject, isProtobufEnvelope } from './protobuf-envelope.js';
import { createJsonCodec } from './protobuf-json.js';
import { protoSchema } from './protobuf-schema.js';
import { isCodecError } from './codec-error.js';

type Obj = { apiVersion: string; kind: string; [k: string]: unknown };
const roundTrip = (o: Obj) => decodeProtobufObject(encodeProtobufObject(o)) as Record<string, any>;

describe('protobuf ⇄ JSON: Go JSON rules', () => {
  const pod: Obj = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: 'p',
      namespace: 'default',
      uid: '3f1c',
      resourceVersion: '12',
      generation: 2,
      creationTimestamp: '2026-11-22T20:24:47Z',
      deletionTimestamp: '2026-11-22T20:25:00Z',
      deletionGracePeriodSeconds: 0,
      labels: { app: 'web' },
      annotations: { note: '' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: false }],
      finalizers: ['example.com/f'],
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-11-22T20:24:47Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } },
        },
      ],
    },
    spec: {
      volumes: [
        { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
        { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      ],
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '0' } },
          livenessProbe: { httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
          readinessProbe: { tcpSocket: { port: 8080 } },
          securityContext: { runAsUser: 0, privileged: false, allowPrivilegeEscalation: false },
        },
      ],
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      nodeName: 'n1',
    },
    status: { phase: 'Running', podIP: '10.0.0.1', startTime: '2026-11-22T20:24:48Z' },
  };

  it('keeps pointer fields that hold zero values (false, 0)', () => {
    const out = roundTrip(pod);
    expect(out.spec.terminationGracePeriodSeconds).toBe(0);
    expect(out.spec.automountServiceAccountToken).toBe(false);
    expect(out.spec.containers[0].securityContext).toEqual({ runAsUser: 0, privileged: false, allowPrivilegeEscalation: false });
    expect(out.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(out.metadata.ownerReferences[0]).toEqual({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true, blockOwnerDeletion: false });
  });

  it('times, managedFields (FieldsV1 JSON), labels and annotations', () => {
    const out = roundTrip(pod);
    expect(out.metadata).toEqual(pod.metadata);
    expect(out.status.startTime).toBe('2026-11-22T20:24:48Z');
  });

  it('inline structs (VolumeSource, ProbeHandler) are flattened; IntOrString and Quantity are scalars', () => {
    const out = roundTrip(pod);
    expect(out.spec.volumes).toEqual([
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
    ]);
    const c = out.spec.containers[0];
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 8080 } });
    expect(c.resources).toEqual({ limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '0' } });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 80, protocol: 'TCP' }]);
  });

  it('omitempty zero scalars disappear, non-omitempty ones stay, missing structs become {}', () => {
    const out = roundTrip({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', generation: 0 }, spec: { containers: [{ name: '', image: 'x' }] } });
    expect(out.metadata).toEqual({ name: 'p', creationTimestamp: null });
    expect(out.spec.containers[0].name).toBe(''); // `json:"name"` has no omitempty
    expect(out.spec.containers[0].resources).toEqual({});
    expect(out.status).toEqual({});
  });

  it('bytes fields are base64 (Secret.data) and maps of bytes keep keys', () => {
    const secret: Obj = { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null }, data: { k: 'AAEC/w==', e: '' }, type: 'Opaque' };
    expect(roundTrip(secret)).toEqual(secret);
    const cm: Obj = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', creationTimestamp: null }, binaryData: { b: 'aGk=' }, immutable: false };
    expect(roundTrip(cm)).toEqual(cm);
  });

  it('MicroTime keeps microseconds (events.k8s.io Event, Lease)', () => {
    const lease: Obj = {
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'l', namespace: 'kube-system', creationTimestamp: null },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 15, acquireTime: '2026-11-22T20:24:47.123456Z', renewTime: '2026-11-22T20:24:50.000001Z', leaseTransitions: 0 },
    };
    expect(roundTrip(lease)).toEqual(lease);
    const ev = roundTrip({
      kind: 'Event',
      apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'e', namespace: 'default' },
      eventTime: '2026-11-22T20:24:47.5Z',
      reportingController: 'kplane',
      reportingInstance: 'a',
      action: 'Create',
      reason: 'Created',
      type: 'Normal',
    });
    expect(ev.eventTime).toBe('2026-11-22T20:24:47.500000Z');
  });

  it('Go slice types wrapped in messages (ExtraValue) are arrays again', () => {
    const sar: Obj = {
      kind: 'SubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { verb: 'get', resource: 'pods' }, user: 'alice', groups: ['devs'], extra: { scopes: ['a', 'b'] } },
      status: { allowed: false },
    };
    expect(roundTrip(sar)).toEqual(sar);
  });

  it('RawExtension holds JSON, or a nested protobuf envelope', () => {
    const rev: Obj = {
      kind: 'ControllerRevision',
      apiVersion: 'apps/v1',
      metadata: { name: 'r', namespace: 'default', creationTimestamp: null },
      data: { spec: { template: { metadata: { labels: { a: 'b' } } } } },
      revision: 3,
    };
    expect(roundTrip(rev)).toEqual(rev);

    const inner = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { a: 'b' } });
    const schema = protoSchema();
    const type = schema.typeFor('apps/v1', 'ControllerRevision');
    const msg = type.fromObject({ metadata: { name: 'r' }, data: { raw: inner }, revision: 1 });
    const codec = createJsonCodec(schema, (b) => decodeProtobufObject(b));
    expect((codec.toJson(type, type.decode(type.encode(msg).finish())) as Record<string, unknown>).data).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'c', creationTimestamp: null },
      data: { a: 'b' },
    });
  });

  it('Duration is Go duration text', () => {
    const schema = protoSchema();
    const type = schema.root.lookupType('k8s.io.apimachinery.pkg.apis.meta.v1.Duration');
    const codec = createJsonCodec(schema, () => null);
    const plain = codec.fromJson(type, '1h2m3.5s');
    expect(codec.toJson(type, type.decode(type.encode(type.fromObject(plain)).finish()))).toBe('1h2m3.5s');
    expect(codec.toJson(type, type.create())).toBe('0s');
  });

  it('option kinds sent to any group-version resolve to meta/v1 (DeleteOptions)', () => {
    const del: Obj = { kind: 'DeleteOptions', apiVersion: 'apps/v1', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, dryRun: ['All'] };
    expect(roundTrip(del)).toEqual(del);
  });

  it('CustomResourceDefinition schemas: $ref renames, x-kubernetes-*, JSON defaults, OrBool, OrArray, OrStringArray', () => {
    const crd: Obj = {
      kind: 'CustomResourceDefinition',
      apiVersion: 'apiextensions.k8s.io/v1',
      metadata: { name: 'widgets.example.com', creationTimestamp: null },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                required: ['spec'],
                properties: {
                  spec: {
                    type: 'object',
                    'x-kubernetes-preserve-unknown-fields': true,
                    properties: {
                      size: { type: 'integer', default: 3, minimum: 1 },
                      tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
                      pair: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
                      labels: { type: 'object', additionalProperties: { type: 'string' } },
                      open: { type: 'object', additionalProperties: false },
                      port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
                      mode: { type: 'string', enum: ['a', 'b'], example: 'a' },
                    },
                    dependencies: { a: ['b'], c: { required: ['d'] } },
                  },
                },
              },
            },
            subresources: { status: {} },
          },
        ],
        conversion: { strategy: 'None' },
      },
      status: { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: [] },
    };
    const out = roundTrip(crd);
    expect(out.spec.versions[0].schema).toEqual(crd.spec && (crd.spec as any).versions[0].schema);
    expect(out.spec.versions[0].subresources).toEqual({ status: {} });
    expect(out.spec.names).toEqual((crd.spec as any).names);
  });
});

describe('protobuf envelope errors', () => {
  it('recognizes the magic prefix', () => {
    expect(isProtobufEnvelope(Buffer.from('k8s\0xyz'))).toBe(true);
    expect(isProtobufEnvelope(Buffer.from('{}'))).toBe(false);
    expect(isProtobufEnvelope(new Uint8Array([0x6b]))).toBe(false);
  });
  it('an envelope without a kind is Malformed', () => {
    const schema = protoSchema();
    const u = schema.root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const body = Buffer.concat([Buffer.from('k8s\0'), u.encode(u.fromObject({ typeMeta: { apiVersion: 'v1' } })).finish()]);
    try {
      decodeProtobufObject(body);
      throw new Error('expected failure');
    } catch (e) {
      expect(isCodecError(e, 'Malformed')).toBe(true);
    }
  });
  it('random bytes after the magic are Malformed, never a crash', () => {
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      const junk = Buffer.alloc(40, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0xff));
      try {
        decodeProtobufObject(Buffer.concat([Buffer.from('k8s\0'), junk]));
      } catch (e) {
        expect(isCodecError(e)).toBe(true);
      }
    }
  });
});
