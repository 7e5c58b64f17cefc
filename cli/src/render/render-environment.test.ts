import { defineApp, ScheduledJob, WebService, Worker } from '@manifold/constructs';
import { ApiObject } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '../config/load-environment.ts';
import { ConfigError } from '../errors/config-error.ts';
import { digestOf, ENVIRONMENT_YAML, inMemoryApp, TIMESTAMP_POLICY, writeOverlay } from '../testing/overlay-fixture.ts';
import { ObjectSchemas } from '../validate/object-schemas.ts';
import { ValidationCache } from '../validate/validation-cache.ts';
import { RenderCache } from './render-cache.ts';
import { renderEnvironment } from './render-environment.ts';

const API = `ghcr.io/acme/api:main-abc1234-1732150000@${digestOf('a')}`;
const JOB = `ghcr.io/acme/job:main-def5678-1732150001@${digestOf('b')}`;

const apiApp = inMemoryApp(
  defineApp({
    name: 'api',
    images: ['api', 'job'],
    build(chart, env) {
      new WebService(chart, 'Api', {
        name: 'api',
        image: env.image('api'),
        size: env.size('small'),
        env: { JOB_IMAGE_DIGEST: env.imageField('job', 'digest'), JOB_IMAGE_TAG: env.imageField('job', 'tag') },
      });
    },
  }),
);

const schemas = await ObjectSchemas.load();

async function render(images: string, apps = [apiApp], objectSchemas = schemas) {
  const root = await writeOverlay('dev', ENVIRONMENT_YAML, images);
  const checks = { schemas: objectSchemas, cache: ValidationCache.open(undefined), renders: RenderCache.open(undefined) };
  const rendered = await renderEnvironment(await loadEnvironment(root, 'dev'), apps, checks);
  return rendered;
}

async function renderError(images: string, apps = [apiApp], objectSchemas = schemas): Promise<ConfigError> {
  const error = await render(images, apps, objectSchemas).catch((caught: unknown) => caught);
  if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

describe('renderEnvironment', () => {
  it('writes one file per object under the app folder and a kustomization listing them all', async () => {
    const { files } = await render(`api:\n  api:\n    ref: ${API}\n  job:\n    ref: ${JOB}\n`);
    expect([...files.keys()]).toEqual(['_environment/namespace-team-dev.yaml', 'api/deployment-api.yaml', 'api/service-api.yaml', 'kustomization.yaml']);
    expect(files.get('kustomization.yaml')).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - _environment/namespace-team-dev.yaml\n  - api/deployment-api.yaml\n  - api/service-api.yaml\n',
    );
  });

  it('marks the image and every derived field of a pin with an update policy', async () => {
    const { files } = await render(`api:\n  api:\n    ref: ${API}\n${TIMESTAMP_POLICY}  job:\n    ref: ${JOB}\n${TIMESTAMP_POLICY}`);
    const deployment = files.get('api/deployment-api.yaml') ?? '';
    expect(deployment).toContain(`image: ${API} # {"$imagepolicy": "flux-system:dev-api-api"}\n`);
    expect(deployment).toContain(`value: "${digestOf('b')}" # {"$imagepolicy": "flux-system:dev-api-job:digest"}\n`);
    expect(deployment).toContain('value: "main-def5678-1732150001" # {"$imagepolicy": "flux-system:dev-api-job:tag"}\n');
  });

  it('marks nothing for a pin without a policy or with a hold', async () => {
    const { files } = await render(`api:\n  api:\n    ref: ${API}\n    hold: true\n${TIMESTAMP_POLICY}  job:\n    ref: ${JOB}\n`);
    expect([...files.values()].join('')).not.toContain('$imagepolicy');
  });

  it('refuses an app whose image has no pin, at the app in images.yaml', async () => {
    const error = await renderError(`api:\n  api:\n    ref: ${API}\n`);
    expect(error.details).toMatchObject({ file: 'overlays/dev/images.yaml', line: 2, col: 3 });
    expect(error.message).toContain('app "api" uses image "job" but dev has no pin for it');
  });

  it('refuses a pin no app uses', async () => {
    const error = await renderError(`api:\n  api:\n    ref: ${API}\n  job:\n    ref: ${JOB}\n  jobb:\n    ref: ${JOB}\n`);
    expect(error.details).toMatchObject({ line: 6, col: 3 });
    expect(error.message).toContain('pin api/jobb is not used');
  });

  it('refuses two objects with the same kind and name in one environment', async () => {
    const twin = inMemoryApp(
      defineApp({ name: 'twin', images: ['api'], build: (chart, env) => void new Worker(chart, 'W', { name: 'api', image: env.image('api') }) }),
    );
    const error = await renderError(`api:\n  api:\n    ref: ${API}\n  job:\n    ref: ${JOB}\ntwin:\n  api:\n    ref: ${API}\n`, [apiApp, twin]);
    expect(error.message).toContain(
      'apps/v1 Deployment team-dev/api (app "twin", construct twin/W/Deployment/Resource) is emitted twice in dev (also by app "api")',
    );
    expect(error.details.file).toBe('apps/twin/src/index.ts');
  });

  it('refuses a value Flux would reformat, naming the app and the object', async () => {
    const tabby = inMemoryApp(
      defineApp({
        name: 'tabby',
        images: ['api'],
        build: (chart, env) => void new ScheduledJob(chart, 'J', { name: 'tabby', image: env.image('api'), schedule: '0 1 * * *', args: ['a\tb'] }),
      }),
    );
    const error = await renderError(`tabby:\n  api:\n    ref: ${API}\n`, [tabby]);
    expect(error.message).toContain('batch/v1 CronJob team-dev/tabby (app "tabby", construct tabby/J/CronJob/Resource) has a value Flux would reformat');
    expect(error.message).toContain('U+0009');
  });

  it('refuses an object whose block scalar would flip Flux to compact sequences', async () => {
    const trap = inMemoryApp(
      defineApp({
        name: 'trap',
        images: ['api'],
        build(chart, env) {
          const worker = new Worker(chart, 'W', { name: 'trap', image: env.image('api') });
          ApiObject.of(worker.deployment).metadata.addAnnotation('config', 'list:\n- item\n');
        },
      }),
    );
    const error = await renderError(`trap:\n  api:\n    ref: ${API}\n`, [trap]);
    expect(error.message).toContain('would be re-indented by Flux');
  });

  it('marks each derived field with its own pin, even when two pins share a tag', async () => {
    const same = 'main-abc1234-1732150000';
    const tags = inMemoryApp(
      defineApp({
        name: 'tags',
        images: ['api', 'job'],
        build(chart, env) {
          const vars = { API_TAG: env.imageField('api', 'tag'), JOB_TAG: env.imageField('job', 'tag') };
          new Worker(chart, 'W', { name: 'tags', image: env.image('api'), env: vars });
        },
      }),
    );
    const { files } = await render(
      `tags:\n  api:\n    ref: ghcr.io/acme/api:${same}\n${TIMESTAMP_POLICY}  job:\n    ref: ghcr.io/acme/job:${same}\n${TIMESTAMP_POLICY}`,
      [tags],
    );
    const deployment = files.get('tags/deployment-tags.yaml') ?? '';
    expect(deployment).toContain(`- name: API_TAG\n              value: "${same}" # {"$imagepolicy": "flux-system:dev-tags-api:tag"}\n`);
    expect(deployment).toContain(`- name: JOB_TAG\n              value: "${same}" # {"$imagepolicy": "flux-system:dev-tags-job:tag"}\n`);
  });

  it('never marks another field that only happens to hold a pinned value', async () => {
    const tag = 'main-abc1234-1732150000';
    const lookalike = inMemoryApp(
      defineApp({
        name: 'lookalike',
        images: ['api'],
        build(chart, env) {
          new Worker(chart, 'W', {
            name: 'lookalike',
            image: env.image('api'),
            labels: { release: tag },
            env: { COPY: API, TAG: env.imageField('api', 'tag') },
          });
        },
      }),
    );
    const { files } = await render(`lookalike:\n  api:\n    ref: ${API}\n${TIMESTAMP_POLICY}`, [lookalike]);
    const deployment = files.get('lookalike/deployment-lookalike.yaml') ?? '';
    expect(deployment).toContain(`release: ${tag}\n`);
    expect(deployment).toContain(`value: ${API}\n`);
    expect(deployment.match(/\$imagepolicy/g)).toHaveLength(2);
    expect(deployment).toContain(`value: "${tag}" # {"$imagepolicy": "flux-system:dev-lookalike-api:tag"}\n`);
  });

  it('refuses an app that alters a pinned value instead of passing it on', async () => {
    const mangler = inMemoryApp(
      defineApp({
        name: 'mangler',
        images: ['api'],
        build(chart, env) {
          new Worker(chart, 'W', { name: 'mangler', image: env.image('api'), env: { TAG: env.imageField('api', 'tag').slice(1) } });
        },
      }),
    );
    const error = await renderError(`mangler:\n  api:\n    ref: ${API}\n`, [mangler]);
    expect(error.message).toContain('app "mangler" failed to build in dev: a pinned image value was altered');
  });

  it('tells objects apart by API group, so two custom resources that share a kind and name do not collide', async () => {
    const widgets = inMemoryApp(
      defineApp({
        name: 'widgets',
        images: ['api'],
        build(chart, env) {
          new Worker(chart, 'W', { name: 'widgets', image: env.image('api') });
          new ApiObject(chart, 'A', { apiVersion: 'acme.example/v1', kind: 'Widget', metadata: { name: 'one' }, spec: {} });
          new ApiObject(chart, 'B', { apiVersion: 'other.example/v1', kind: 'Widget', metadata: { name: 'one' }, spec: {} });
        },
      }),
    );
    const { files } = await render(`widgets:\n  api:\n    ref: ${API}\n`, [widgets]);
    expect([...files.keys()].filter((path) => path.includes('/widget.'))).toEqual([
      'widgets/widget.acme.example-one.yaml',
      'widgets/widget.other.example-one.yaml',
    ]);
  });
});
