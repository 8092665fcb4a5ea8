import { describe, expect, it } from 'vitest';
import { chooseDiscoveryOutput, chooseObjectOutput, parseAccept } from './negotiate.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const AGG_133 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const AGG_127 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

describe('negotiation', () => {
  it('parses media ranges with parameters and q ordering', () => {
    const r = parseAccept('text/plain;q=0.5, application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(r[0]).toEqual({ type: 'application', subtype: 'json', params: { as: 'Table', v: 'v1', g: 'meta.k8s.io' }, q: 1 });
    expect(r[1]!.subtype).toBe('plain');
  });

  it('chooses Table for kubectl get, plain JSON otherwise (including protobuf-first Accept)', () => {
    expect(chooseObjectOutput(TABLE)).toEqual({ kind: 'table', version: 'v1' });
    expect(chooseObjectOutput('application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toEqual({ kind: 'table', version: 'v1beta1' });
    expect(chooseObjectOutput('application/vnd.kubernetes.protobuf,application/json')).toEqual({ kind: 'plain' });
    expect(chooseObjectOutput('application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1')).toEqual({ kind: 'partial', version: 'v1' });
    expect(chooseObjectOutput(undefined)).toEqual({ kind: 'plain' });
    expect(chooseObjectOutput('application/json;as=Table;v=v9;g=meta.k8s.io, */*')).toEqual({ kind: 'plain' });
  });

  it('chooses aggregated discovery v2 (1.33), v2beta1 (1.27) or legacy', () => {
    expect(chooseDiscoveryOutput(AGG_133)).toEqual({ kind: 'aggregated', version: 'v2', contentType: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    expect(chooseDiscoveryOutput(AGG_127)).toMatchObject({ kind: 'aggregated', version: 'v2beta1' });
    expect(chooseDiscoveryOutput('application/json, */*')).toEqual({ kind: 'legacy' });
    expect(chooseDiscoveryOutput(undefined)).toEqual({ kind: 'legacy' });
  });
});
