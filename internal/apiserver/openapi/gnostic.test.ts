import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { decodeGnosticV2, encodeGnosticV2 } from './gnostic.js';
import { openapiDir } from './vendored.js';

type Named = { name: string; value: Record<string, unknown> };

describe('gnostic v2 protobuf', () => {
  const json = JSON.parse(readFileSync(join(openapiDir(), 'v2.json'), 'utf8'));
  const decoded = decodeGnosticV2(encodeGnosticV2(json));

  it('keeps every definition with its properties, refs and GVK extension', () => {
    const defs = (decoded.definitions as { additional_properties: Named[] }).additional_properties;
    expect(defs.length).toBe(Object.keys(json.definitions).length);
    const dep = defs.find((d) => d.name === 'io.k8s.api.apps.v1.Deployment')!.value;
    const props = (dep.properties as { additional_properties: Named[] }).additional_properties;
    expect(props.map((p) => p.name).sort()).toEqual(Object.keys(json.definitions['io.k8s.api.apps.v1.Deployment'].properties).sort());
    expect(props.find((p) => p.name === 'spec')!.value._ref).toBe('#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
    const ext = (dep.vendor_extension as Named[]).find((e) => e.name === 'x-kubernetes-group-version-kind')!;
    expect(parse(ext.value.yaml as string)).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  });

  it('keeps patch strategies and merge keys that client-side apply needs', () => {
    const defs = (decoded.definitions as { additional_properties: Named[] }).additional_properties;
    const podSpec = defs.find((d) => d.name === 'io.k8s.api.core.v1.PodSpec')!.value;
    const containers = (podSpec.properties as { additional_properties: Named[] }).additional_properties.find((p) => p.name === 'containers')!.value;
    const ext = Object.fromEntries((containers.vendor_extension as Named[]).map((e) => [e.name, parse(e.value.yaml as string)]));
    expect(ext['x-kubernetes-patch-merge-key']).toBe('name');
    expect(ext['x-kubernetes-patch-strategy']).toBe('merge');
    expect((containers.type as { value: string[] }).value).toEqual(['array']);
  });

  it('keeps the PATCH operations with the fieldValidation query parameter', () => {
    const paths = (decoded.paths as { path: Named[] }).path;
    const item = paths.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')!.value;
    const patch = item.patch as { parameters: { parameter?: { non_body_parameter?: { query_parameter_sub_schema?: { name: string } } } }[]; vendor_extension: Named[] };
    const names = patch.parameters.map((p) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name).filter(Boolean);
    expect(names).toContain('fieldValidation');
    expect(patch.vendor_extension.map((e) => e.name)).toContain('x-kubernetes-group-version-kind');
  });
});
