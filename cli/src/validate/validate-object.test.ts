import { describe, expect, it } from 'vitest';
import { parseQuantity } from './api-server-rules.ts';
import { ObjectSchemas } from './object-schemas.ts';
import { validateObject } from './validate-object.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests reach into objects freely to break them.
type Fields = Record<string, any>;

const schemas = await ObjectSchemas.load([
  {
    kind: 'acme.example/v1/Widget',
    openApiSchema: {
      type: 'object',
      properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 } } } },
    },
  },
]);

function deployment(patch: (object: Fields) => void = () => {}): Record<string, unknown> {
  const object: Fields = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'acme-dev', labels: { 'app.kubernetes.io/name': 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'ghcr.io/acme/web:v1',
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } },
            },
          ],
        },
      },
    },
  };
  patch(object);
  return object;
}

describe('validateObject', () => {
  it('accepts a valid Deployment', () => {
    expect(validateObject(deployment(), schemas, { podSecurity: 'privileged' })).toBeUndefined();
  });

  it('names the field and the reason for a schema violation', () => {
    expect(
      validateObject(
        deployment((d) => (d.spec.replicas = 'two')),
        schemas,
      ),
    ).toMatchObject({ path: 'spec.replicas', message: 'must be integer' });
    expect(
      validateObject(
        deployment((d) => delete d.spec.selector),
        schemas,
      ),
    ).toMatchObject({ path: 'spec.selector', message: 'is required' });
    expect(
      validateObject(
        deployment((d) => (d.spec.template.spec.containers[0].env = [{ name: 'N', value: 42 }])),
        schemas,
      ),
    ).toMatchObject({
      path: 'spec.template.spec.containers[0].env[0].value',
      message: 'must be string',
    });
  });

  it('refuses what the API server refuses beyond the schema', () => {
    const cases: [(d: Fields) => void, string, RegExp][] = [
      [(d) => (d.metadata.name = 'Web'), 'metadata.name', /DNS-1123 subdomain/],
      [(d) => (d.metadata.name = 'a'.repeat(254)), 'metadata.name', /at most 253/],
      [(d) => (d.metadata.labels['bad key!'] = 'x'), 'metadata.labels["bad key!"]', /label key/],
      [(d) => (d.metadata.labels.tier = '-front'), 'metadata.labels.tier', /label value "-front"/],
      [(d) => (d.metadata.annotations = { 'a/b/c': 'x' }), 'metadata.annotations["a/b/c"]', /more than one "\/"/],
      [
        (d) => (d.spec.template.spec.containers[0].ports[0].containerPort = 70000),
        'spec.template.spec.containers[0].ports[0].containerPort',
        /outside 1-65535/,
      ],
      [(d) => (d.spec.template.spec.containers[0].ports[0].name = 'Http_Port'), 'spec.template.spec.containers[0].ports[0].name', /./],
      [
        (d) => (d.spec.template.spec.containers[0].resources.requests.memory = '128MB'),
        'spec.template.spec.containers[0].resources.requests.memory',
        /quantity/,
      ],
      [
        (d) => (d.spec.template.spec.containers[0].resources.requests.memory = '1Gi'),
        'spec.template.spec.containers[0].resources.requests.memory',
        /above the limit/,
      ],
    ];
    for (const [patch, path, message] of cases) {
      const violation = validateObject(deployment(patch), schemas, { podSecurity: 'privileged' });
      expect(violation?.path, String(patch)).toBe(path);
      expect(violation?.message).toMatch(message);
    }
  });

  it('applies the stricter name rules of Services, Namespaces and CronJobs', () => {
    expect(validateObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: '1web' }, spec: {} }, schemas)?.message).toMatch(/DNS-1035/);
    expect(validateObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }, schemas)?.message).toMatch(/DNS-1123 label/);
    const cronJob = (name: string, schedule: string, timeZone?: string) => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name },
      spec: { schedule, timeZone, jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } } } },
    });
    expect(validateObject(cronJob('a'.repeat(53), '@daily'), schemas)?.message).toMatch(/at most 52/);
    expect(validateObject(cronJob('nightly', '@daily', 'Europe/Berlin'), schemas, { podSecurity: 'privileged' })).toBeUndefined();
    expect(validateObject(cronJob('nightly', '0 3 * *'), schemas)?.message).toMatch(/has 4 fields/);
    expect(validateObject(cronJob('nightly', '0 25 * * *'), schemas)?.message).toMatch(/hour field "25"/);
    expect(validateObject(cronJob('nightly', '0 3 * * MON-FRI', 'Mars/Olympus'), schemas)).toMatchObject({ path: 'spec.timeZone' });
  });

  it('validates Flux objects against their CRD schema', () => {
    const policy = {
      apiVersion: 'image.toolkit.fluxcd.io/v1',
      kind: 'ImagePolicy',
      metadata: { name: 'p' },
      spec: { imageRepositoryRef: { name: 'r' }, policy: { numerical: { order: 'up' } } },
    };
    expect(validateObject(policy, schemas)).toMatchObject({ path: 'spec.policy.numerical.order', message: 'must be one of "asc", "desc"' });
  });

  it('validates a custom resource against a CRD schema the user added, and lets unknown kinds through', () => {
    const widget = (size: unknown) => ({ apiVersion: 'acme.example/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size } });
    expect(validateObject(widget(3), schemas)).toBeUndefined();
    expect(validateObject(widget(0), schemas)).toMatchObject({ path: 'spec.size', message: 'must be >= 1' });
    expect(
      validateObject({ apiVersion: 'other.example/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'any', port: 'x' } }, schemas),
    ).toBeUndefined();
  });

  it("holds workloads to the environment's Pod Security Standard", () => {
    expect(validateObject(deployment(), schemas)).toMatchObject({
      path: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
      message: 'must be false (Pod Security Standard "restricted": Privilege Escalation)',
    });
    expect(validateObject(deployment(), schemas, { podSecurity: 'baseline' })).toBeUndefined();
  });

  it('reads Kubernetes quantities', () => {
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('12MB')).toBeUndefined();
  });
});
