import { describe, expect, it } from 'vitest';
import { changedFields } from './changed-fields.ts';

const deployment = (containers: object[], extra: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas: 1, template: { spec: { containers } }, ...extra },
});

describe('changedFields', () => {
  it('finds nothing in equal objects', () => {
    expect(changedFields(deployment([{ name: 'web', image: 'a' }]), deployment([{ name: 'web', image: 'a' }]))).toEqual([]);
  });

  it('matches containers by name, wherever they stand', () => {
    const before = deployment([
      { name: 'web', image: 'web:1' },
      { name: 'proxy', image: 'envoy:1', ports: [{ name: 'http', containerPort: 80 }] },
    ]);
    const after = deployment([
      { name: 'proxy', image: 'envoy:1', ports: [{ name: 'http', containerPort: 8080 }] },
      { name: 'web', image: 'web:2' },
    ]);
    expect(changedFields(before, after)).toEqual([
      'spec.template.spec.containers[name=proxy].ports[name=http].containerPort',
      'spec.template.spec.containers[name=web].image',
    ]);
  });

  it('reports a reordering of named items that changes nothing else', () => {
    const before = deployment([{ name: 'a' }, { name: 'b' }]);
    const after = deployment([{ name: 'b' }, { name: 'a' }]);
    expect(changedFields(before, after)).toEqual(['spec.template.spec.containers (order)']);
  });

  it('names added and removed fields and items, and quotes keys that are not identifiers', () => {
    const before = { metadata: { labels: { 'app.kubernetes.io/version': '1' } }, spec: { args: ['a', 'b'] } };
    const after = { metadata: { labels: {}, annotations: { note: 'x' } }, spec: { args: ['a', 'c', 'd'] } };
    expect(changedFields(before, after)).toEqual(['metadata.annotations', 'metadata.labels["app.kubernetes.io/version"]', 'spec.args[1]', 'spec.args[2]']);
  });

  it('falls back to positions when names repeat, and reports a type change at its path', () => {
    const before = {
      items: [
        { name: 'x', v: 1 },
        { name: 'x', v: 2 },
      ],
      spec: { ports: [80] },
    };
    const after = {
      items: [
        { name: 'x', v: 1 },
        { name: 'x', v: 3 },
      ],
      spec: { ports: { http: 80 } },
    };
    expect(changedFields(before, after)).toEqual(['items[1].v', 'spec.ports']);
  });
});
