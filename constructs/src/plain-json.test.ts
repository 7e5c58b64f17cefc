import { ApiObject, type ApiObjectProps, App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { chartObjectJson, type PlainObject } from './plain-json.ts';

/** What cdk8s renders for `object` in a chart of `namespace` and `labels`. */
function cdk8sJson(object: PlainObject, namespace: string | undefined, labels: Record<string, string>): unknown {
  const chart = new Chart(new App(), 'chart', { ...(namespace ? { namespace } : {}), disableResourceNameHashes: true, labels });
  new ApiObject(chart, 'Object', object as unknown as ApiObjectProps);
  return chart.toJson()[0];
}

const OBJECTS: PlainObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-dev', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  {
    apiVersion: 'image.toolkit.fluxcd.io/v1beta2',
    kind: 'ImagePolicy',
    metadata: { name: 'dev-api-api', namespace: 'flux-system' },
    spec: {
      imageRepositoryRef: { name: 'api' },
      filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' },
      policy: { numerical: { order: 'asc' } },
    },
  },
  {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', annotations: {}, finalizers: [], labels: { 'app.kubernetes.io/managed-by': 'someone-else', z: 'last', a: 'first' } },
    spec: { interval: '5m', prune: true, timeout: undefined, dependsOn: [], patches: [{ target: { kind: 'Deployment' }, patch: 'x' }], retries: 0, empty: {} },
  },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: 'app',
      annotations: { note: 'kept', gone: undefined as unknown as string },
      ownerReferences: [{ kind: 'X', name: 'y', apiVersion: 'v1', uid: '1' }],
    },
    spec: { source: { path: 'dist/dev', targetRevision: null }, syncPolicy: { automated: { prune: true, selfHeal: false } }, list: [3, 'two', { b: 1, a: 2 }] },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty-labels', labels: {} }, data: { 'b.txt': '', 'a.txt': 'text' } },
];

describe('chartObjectJson', () => {
  it('renders exactly what a cdk8s chart renders for the same plain object, with and without a namespace', () => {
    for (const object of OBJECTS) {
      for (const namespace of [undefined, 'team-dev']) {
        const labels = { 'app.kubernetes.io/managed-by': 'manifold' };
        const expected = JSON.stringify(cdk8sJson(object, namespace, labels));
        expect(JSON.stringify(chartObjectJson(object, { namespace, labels })), `${object.kind} in ${namespace}`).toBe(expected);
      }
    }
  });
});
