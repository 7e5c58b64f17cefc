import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ImageRef } from '../images/image-ref.ts';
import { EscSecret } from '../secrets/esc-secret.ts';
import { PlainApiObject } from './plain-api-object.ts';
import { WebService, type WebServiceProps } from './web-service.ts';
import { Worker } from './worker.ts';
import { WORKLOAD_PROPS } from './workload-options.ts';

const image = ImageRef.parse(`ghcr.io/acme/web:v1@sha256:${'c'.repeat(64)}`);

/** A workload construct whose objects are built plain until `.deployment` is read. */
type Workload = new (scope: Chart, id: string, props: never) => { readonly deployment: object };

/**
 * The chart's JSON with one `construct` of `props` (or the error it throws), and whether its objects
 * were plain; `kplus`: built by cdk8s-plus, as reading `.deployment` makes them.
 */
function render(construct: Workload, props: Record<string, unknown>, kplus: boolean): { json: string; plain: boolean } {
  const chart = new Chart(new App(), 'app', { namespace: 'team', disableResourceNameHashes: true, labels: { 'app.kubernetes.io/part-of': 'app' } });
  try {
    const workload = new construct(chart, 'Workload', props as never);
    if (kplus && !workload.deployment) throw new Error('no deployment');
    // By class, not instanceof: cdk8s answers instanceof ApiObject (and so of a subclass) for any API object.
    const plain = chart.node.findAll().some((node) => node.constructor === PlainApiObject);
    return { json: JSON.stringify(chart.toJson()), plain };
  } catch (error) {
    return { json: `error: ${(error as Error).message}`, plain: false };
  }
}

/** Each prop's values to combine: the common ones, the edges of each setting, and values cdk8s-plus alone renders. */
const CHOICES: Partial<Record<keyof WebServiceProps, unknown[]>> = {
  port: [undefined, 80, 3000, 0],
  healthPath: [undefined, '/ready'],
  host: [undefined, 'web.example.com'],
  ingressClassName: [undefined, 'nginx'],
  tlsSecretName: [undefined, 'web-tls'],
  size: [
    undefined,
    { replicas: 3, cpu: '250m', memory: '256Mi' },
    { replicas: 2, cpu: '0.5', memory: '2Gi', cpuLimit: '2' },
    { replicas: 0, cpu: '1500m', memory: '64Mi', cpuLimit: '100m' },
    { cpu: '2', memory: '1Gi' },
  ],
  env: [undefined, {}, { A: 'x', B: 'true', 1: 'n' }, { S: new EscSecret('web-esc', 'db-url', 'db.url'), T: 'y' }],
  command: [undefined, [], ['/bin/app', '--serve']],
  args: [undefined, ['--port', '3000']],
  labels: [undefined, { team: 'payments', tier: 'web' }, { 'app.kubernetes.io/name': 'override', 'app.kubernetes.io/part-of': 'other' }],
  securityContext: [
    undefined,
    { readOnlyRootFilesystem: false },
    { user: 1000, group: 2000 },
    { ensureNonRoot: false, privileged: true, allowPrivilegeEscalation: true },
    { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } },
    { capabilities: {} },
    { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/web.json' } },
    { capabilities: undefined, seccompProfile: undefined },
  ],
  writablePaths: [undefined, [], ['/tmp', '/var/cache/app'], ['/data/Cache', '/data/cache'], ['/a/B', '/a/C'], ['tmp']],
};

/** A deterministic generator (mulberry32), so that a failing combination is found again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('workloads built as plain objects', () => {
  it.each([
    ['WebService', WebService as Workload, Object.keys(CHOICES)],
    ['Worker', Worker as Workload, Object.keys(WORKLOAD_PROPS)],
  ])('render exactly what cdk8s-plus renders for the same props: a %s, in every combination tried', (_, construct, props) => {
    const next = random(33);
    let plainRuns = 0;
    for (let run = 0; run < 400; run++) {
      const chosen: Record<string, unknown> = { name: run % 2 === 0 ? 'web' : 'api-2', image };
      for (const [key, values] of Object.entries(CHOICES)) {
        const value = values[Math.floor(next() * values.length)];
        if (value !== undefined && props.includes(key)) chosen[key] = value;
      }
      const plain = render(construct, chosen, false);
      const kplus = render(construct, chosen, true);
      expect(plain.json, JSON.stringify(chosen)).toBe(kplus.json);
      expect(kplus.plain, JSON.stringify(chosen)).toBe(false);
      if (plain.plain) plainRuns += 1;
    }
    // Most combinations take the plain path; the rest (port 0, volume names that clash, bad paths) show cdk8s-plus's output or error.
    expect(plainRuns).toBeGreaterThan(150);
    expect(plainRuns).toBeLessThan(400);
  });

  it('becomes cdk8s-plus constructs when an app reads them, and keeps what the app changes', () => {
    const chart = new Chart(new App(), 'app', { namespace: 'team', disableResourceNameHashes: true });
    const web = new WebService(chart, 'Web', { name: 'web', image, host: 'web.example.com' });
    web.deployment.metadata.addAnnotation('team', 'payments');
    web.service.metadata.addLabel('tier', 'front');
    const objects = chart.toJson() as { kind: string; metadata: { annotations?: object; labels: object } }[];
    expect(objects.map((object) => object.kind)).toEqual(['Deployment', 'Service', 'Ingress']);
    expect(objects[0]?.metadata.annotations).toEqual({ team: 'payments' });
    expect(objects[1]?.metadata.labels).toMatchObject({ tier: 'front' });
    expect(web.ingress).toBeDefined();
    expect(chart.node.findAll().filter(ApiObject.isApiObject)).toHaveLength(3);
  });

  it('takes a JSON patch added to its objects, as any API object does', () => {
    const chart = new Chart(new App(), 'app', { namespace: 'team', disableResourceNameHashes: true });
    new WebService(chart, 'Web', { name: 'web', image });
    const deployment = chart.node.findAll().find((construct) => ApiObject.isApiObject(construct) && construct.kind === 'Deployment') as ApiObject;
    deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 5));
    deployment.metadata.addLabel('patched', 'yes');
    const [json] = chart.toJson() as { metadata: { labels: object }; spec: { replicas: number } }[];
    expect(json?.spec.replicas).toBe(5);
    expect(json?.metadata.labels).toMatchObject({ patched: 'yes' });
  });
});
