import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyRepository, REPO_ROOT, runManifold, snapshot } from './temp-repo.ts';

const ENVS = ['dev', 'prod', 'staging'];

describe('pnpm synth on the example repository', () => {
  it('finds the committed dist/ current', async () => {
    const run = await runManifold(REPO_ROOT, ['synth', '--check']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dev: dist/dev is current');
  });

  it('writes identical bytes twice, and in another timezone and locale', async () => {
    const root = await copyRepository();
    await rm(join(root, 'dist'), { recursive: true });
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    const first = await snapshot(join(root, 'dist'));
    const second = await runManifold(root, ['synth'], { env: { TZ: 'Pacific/Kiritimati', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' } });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('dev: up to date');
    await rm(join(root, 'dist'), { recursive: true });
    expect((await runManifold(root, ['synth'], { env: { TZ: 'America/St_Johns', LC_ALL: 'C' } })).code).toBe(0);
    expect(await snapshot(join(root, 'dist'))).toEqual(first);
    expect(first).toEqual(await snapshot(join(REPO_ROOT, 'dist')));
  });

  it('builds every environment with kubectl kustomize', async () => {
    for (const env of ENVS) {
      const built = execFileSync('kubectl', ['kustomize', join(REPO_ROOT, 'dist', env)], { encoding: 'utf8' });
      const kinds = built.match(/^kind: \w+$/gm) ?? [];
      expect(kinds.length).toBe((await readFile(join(REPO_ROOT, 'dist', env, 'kustomization.yaml'), 'utf8')).match(/^ {2}- /gm)?.length);
      expect(built).toContain(`namespace: acme-${env}`);
    }
  });

  it('reports a stale, a missing and an orphaned file with --check, and writes nothing', async () => {
    const root = await copyRepository();
    await writeFile(join(root, 'dist/dev/web/service-web.yaml'), 'kind: Service\n');
    await rm(join(root, 'dist/prod/ml-api/ingress-ml-api.yaml'));
    await writeFile(join(root, 'dist/staging/web/configmap-left-over.yaml'), 'kind: ConfigMap\n');
    const before = await snapshot(root);
    const run = await runManifold(root, ['synth', '--check']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('stale:    dist/dev/web/service-web.yaml');
    expect(run.stdout).toMatch(/^\+apiVersion: v1$/m);
    expect(run.stdout).toContain('missing:  dist/prod/ml-api/ingress-ml-api.yaml');
    expect(run.stdout).toContain('orphaned: dist/staging/web/configmap-left-over.yaml');
    expect(run.stderr).toContain('run pnpm synth');
    expect(await snapshot(root)).toEqual(before);
  });

  it('prunes the files of an app removed from an environment', async () => {
    const root = await copyRepository();
    await appendFile(join(root, 'overlays/dev/environment.yaml'), 'apps:\n  - web\n  - postgres\n');
    const images = await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8');
    await writeFile(join(root, 'overlays/dev/images.yaml'), images.replace(/^ml-api:[\s\S]*?(?=^postgres:)/m, ''));
    const run = await runManifold(root, ['synth', 'dev']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('prune  dist/dev/ml-api/deployment-ml-api.yaml');
    const dev = await snapshot(join(root, 'dist/dev'));
    expect([...dev.keys()].filter((path) => !/^(web|postgres|_flux)\//.test(path))).toEqual(['.manifold-index', 'kustomization.yaml']);
    expect([...dev.keys()].filter((path) => path.includes('ml-api'))).toEqual([]);
    expect(dev.get('kustomization.yaml')).not.toContain('ml-api');
    expect((await runManifold(root, ['synth', '--check', 'dev'])).code).toBe(0);
  });

  it('refuses to overwrite a hand-edited file, and discards the edit with --force', async () => {
    const root = await copyRepository();
    const edited = join(root, 'dist/prod/web/deployment-web.yaml');
    await writeFile(edited, (await readFile(edited, 'utf8')).replace('replicas: 3', 'replicas: 9'));
    await appendFile(join(root, 'overlays/prod/environment.yaml'), 'flux:\n  namespace: flux-prod\n');
    const before = await snapshot(root);
    const refused = await runManifold(root, ['synth']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^dist\/prod\/web\/deployment-web\.yaml:1:1: generated file was edited by hand/);
    expect(refused.stderr).toContain('--force');
    expect(await snapshot(root)).toEqual(before);
    const forced = await runManifold(root, ['synth', '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(edited, 'utf8')).toContain('replicas: 3');
  });

  it('keeps files it did not generate, and refuses to overwrite one', async () => {
    const root = await copyRepository();
    await writeFile(join(root, 'dist/dev/README.md'), '# notes\n');
    const kept = await runManifold(root, ['synth', '--force']);
    expect(kept.code).toBe(0);
    expect(await readFile(join(root, 'dist/dev/README.md'), 'utf8')).toBe('# notes\n');
    await rm(join(root, 'dist/staging'), { recursive: true });
    await mkdir(join(root, 'dist/staging/web'), { recursive: true });
    await writeFile(join(root, 'dist/staging/web/service-web.yaml'), 'mine\n');
    const refused = await runManifold(root, ['synth', 'staging']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^dist\/staging\/web\/service-web\.yaml:1:1: synth would overwrite this file, which it did not generate/);
    expect(await readFile(join(root, 'dist/staging/web/service-web.yaml'), 'utf8')).toBe('mine\n');
  });

  it('picks up an edited app on the next run (the compiled bundle is rebuilt)', async () => {
    const root = await copyRepository();
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
    const app = join(root, 'apps/csv-ingestor/src/index.ts');
    await writeFile(app, (await readFile(app, 'utf8')).replace("BATCH_SIZE: '5000'", "BATCH_SIZE: '7500'"));
    const run = await runManifold(root, ['synth', 'dev']);
    expect(run.code).toBe(0);
    expect(await readFile(join(root, 'dist/dev/csv-ingestor/deployment-csv-ingestor.yaml'), 'utf8')).toContain('value: "7500"');
  });

  it('adds a new app and a new environment from files alone', async () => {
    const root = await copyRepository();
    await mkdir(join(root, 'apps/hello/src'), { recursive: true });
    await writeFile(join(root, 'apps/hello/package.json'), '{ "name": "@apps/hello", "type": "module", "exports": "./src/index.ts" }\n');
    await writeFile(
      join(root, 'apps/hello/src/index.ts'),
      "import { defineApp, Worker } from '@manifold/constructs';\nexport default defineApp({ name: 'hello', images: ['hello'], build: (chart, env) => void new Worker(chart, 'Hello', { name: 'hello', image: env.image('hello'), size: env.size('tiny') }) });\n",
    );
    await mkdir(join(root, 'overlays/qa'));
    await writeFile(
      join(root, 'overlays/qa/environment.yaml'),
      'namespace: acme-qa\ndomain: qa.acme.example\napps:\n  - hello\nsizes:\n  tiny:\n    replicas: 1\n    cpu: 50m\n    memory: 64Mi\n',
    );
    await writeFile(join(root, 'overlays/qa/images.yaml'), 'hello:\n  hello:\n    ref: ghcr.io/acme/hello:v1\n');
    const run = await runManifold(root, ['synth', 'qa']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const qa = await snapshot(join(root, 'dist/qa'));
    expect([...qa.keys()]).toEqual(['.manifold-index', 'hello/deployment-hello.yaml', 'kustomization.yaml']);
    expect(qa.get('hello/deployment-hello.yaml')).toContain('image: ghcr.io/acme/hello:v1\n');
  });
});

describe('pnpm synth and the pins', () => {
  it('writes the Flux marker onto a new pin with a policy, and --check asks for it first', async () => {
    const root = await copyRepository();
    const file = join(root, 'overlays/dev/images.yaml');
    const marked = await readFile(file, 'utf8');
    await writeFile(file, marked.replace(' # {"$imagepolicy": "flux-system:dev-web-web"}', ''));
    const check = await runManifold(root, ['synth', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('stale:    overlays/dev/images.yaml (pins)');
    const run = await runManifold(root, ['synth']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('pins     overlays/dev/images.yaml');
    expect(await readFile(file, 'utf8')).toBe(marked);
  });

  it('keeps the committed JSON Schemas in step with the zod schemas', async () => {
    const run = await runManifold(REPO_ROOT, ['schema', '--check']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const schema = JSON.parse(await readFile(join(REPO_ROOT, 'cli/schema/environment.schema.json'), 'utf8'));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['namespace', 'domain', 'sizes', 'requireDigests']));
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('a removed environment', () => {
  it('is reported by --check and pruned by synth, keeping files synth did not write', async () => {
    const root = await copyRepository();
    await rm(join(root, 'overlays/staging'), { recursive: true });
    await writeFile(join(root, 'dist/staging/NOTES.md'), 'kept\n');
    const check = await runManifold(root, ['synth', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('orphaned: dist/staging/web/deployment-web.yaml');
    expect(check.stdout).toContain('orphaned: dist/staging/.manifold-index');
    const run = await runManifold(root, ['synth']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('prune  dist/staging/kustomization.yaml');
    expect([...(await snapshot(join(root, 'dist/staging'))).keys()]).toEqual(['NOTES.md']);
    await rm(join(root, 'overlays/prod'), { recursive: true });
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    expect(existsSync(join(root, 'dist/prod'))).toBe(false);
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });
});
