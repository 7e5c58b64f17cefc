/** `manifold new app`, `manifold new env` and promote into a new environment, through the real CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { copyRepository, REPO_ROOT, runManifold, snapshot } from './temp-repo.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const IMAGE = `ghcr.io/acme/hello:1.0.0@${DIGEST}`;

/** A copy of the example with the root files a type-check needs. */
async function repository(): Promise<string> {
  const root = await copyRepository();
  for (const file of ['tsconfig.json', 'tsconfig.base.json', 'package.json']) await copyFile(join(REPO_ROOT, file), join(root, file));
  return root;
}

const apps = async (root: string, env: string): Promise<string[] | undefined> =>
  (parse(await readFile(join(root, 'overlays', env, 'environment.yaml'), 'utf8')) as { apps?: string[] }).apps;

describe('manifold new app', () => {
  for (const kind of ['web', 'worker', 'cron', 'stateful']) {
    it(`writes a ${kind} app that passes typecheck and lint, deployed only where it was added`, async () => {
      const root = await repository();
      const run = await runManifold(root, ['new', 'app', 'hello-world', '--kind', kind, '--image', IMAGE, '--env', 'dev']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('created apps/hello-world/src/index.ts');
      const tsc = spawnSync(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: root, encoding: 'utf8' });
      expect(tsc.stdout).toBe('');
      const source = await readFile(join(root, 'apps/hello-world/src/index.ts'), 'utf8');
      const lint = spawnSync(join(REPO_ROOT, 'node_modules/.bin/biome'), ['check', '--write', '--stdin-file-path=apps/hello-world/src/index.ts'], {
        cwd: REPO_ROOT,
        input: source,
        encoding: 'utf8',
      });
      expect(lint.status).toBe(0);
      expect(lint.stdout).toBe(source);
      // dev had no apps: list and deploys every app; prod and staging now list today's apps, so the new one stays out.
      expect(await apps(root, 'dev')).toBeUndefined();
      expect(await apps(root, 'prod')).toEqual(['csv-ingestor', 'jobs-manager', 'ml-api', 'postgres', 'web']);
      const synth = await runManifold(root, ['synth']);
      expect(synth.stderr).toBe('');
      expect(synth.code).toBe(0);
      expect(synth.stdout).toMatch(/dist\/dev\/hello-world\//);
      expect(synth.stdout).toContain('prod: up to date');
      expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
    });
  }

  it('adds the app to an environment that lists its apps', async () => {
    const root = await repository();
    await writeFile(
      join(root, 'overlays/staging/environment.yaml'),
      `${await readFile(join(root, 'overlays/staging/environment.yaml'), 'utf8')}apps: [web, postgres]\n`,
    );
    await writeFile(
      join(root, 'overlays/staging/images.yaml'),
      (await readFile(join(root, 'overlays/staging/images.yaml'), 'utf8')).replace(/^(ml-api|csv-ingestor|jobs-manager):\n( {2}.*\n)+/gm, ''),
    );
    const run = await runManifold(root, ['new', 'app', 'hello', '--kind', 'worker', '--image', IMAGE, '--env', 'staging,prod']);
    expect(run.stderr).toBe('');
    expect(await apps(root, 'staging')).toEqual(['web', 'postgres', 'hello']);
    expect(await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8')).toContain(`hello:\n  hello:\n    ref: ${IMAGE}\n`);
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    expect((await readFile(join(root, 'dist/prod/hello/deployment-hello.yaml'), 'utf8')).includes(IMAGE)).toBe(true);
  });

  it('refuses, writing nothing: a taken name, an unknown environment, a tag without digest for prod, an unknown size', async () => {
    const root = await repository();
    const before = await snapshot(root);
    const cases: [string[], RegExp][] = [
      [['new', 'app', 'web', '--kind', 'web', '--image', IMAGE], /^argument 1: apps\/web already exists/],
      [['new', 'app', 'Hello', '--kind', 'web', '--image', IMAGE], /^argument 1: app name "Hello" is not a DNS-1123 label/],
      [
        ['new', 'app', 'hello', '--kind', 'web', '--image', IMAGE, '--env', 'dev,qa'],
        /^--env: no environment "qa" \(item 2\)\n {2}hint: environments: dev, prod, staging/,
      ],
      [
        ['new', 'app', 'hello', '--kind', 'web', '--image', 'ghcr.io/acme/hello:1.0.0'],
        /^--image: prod requires digests, but "ghcr\.io\/acme\/hello:1\.0\.0" has none/,
      ],
      [['new', 'app', 'hello', '--kind', 'web', '--image', IMAGE, '--size', 'huge'], /^--size: dev has no size "huge"/],
      [['new', 'app', 'hello', '--kind', 'lambda', '--image', IMAGE], /option '--kind <kind>' argument 'lambda' is invalid/],
    ];
    for (const [args, message] of cases) {
      const run = await runManifold(root, args);
      expect(run.stderr).toMatch(message);
      expect(run.code).toBe(2);
    }
    expect(await snapshot(root)).toEqual(before);
  });
});

describe('manifold new env', () => {
  it('writes an environment promoted from another, fills its pins from there and synthesizes it', async () => {
    const root = await repository();
    const run = await runManifold(root, ['new', 'env', 'qa', '--from', 'dev']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('qa web/web: (none) -> main-3f2c1e9-1732150000@sha256:');
    const environment = parse(await readFile(join(root, 'overlays/qa/environment.yaml'), 'utf8'));
    expect(environment).toMatchObject({ namespace: 'acme-qa', domain: 'qa.acme.example', promotesFrom: 'dev', esc: { environment: 'qa' } });
    const images = await readFile(join(root, 'overlays/qa/images.yaml'), 'utf8');
    expect(images).toContain('# {"$imagepolicy": "flux-system:qa-web-web"}');
    expect(images).toContain('pattern: ^main-[a-f0-9]+-(?P<ts>[0-9]+)$');
    expect(images).toContain('    source:\n      by: promote\n      from: dev\n');
    expect(await readFile(join(root, 'dist/qa/web/deployment-web.yaml'), 'utf8')).toContain('namespace: acme-qa');
    const check = await runManifold(root, ['synth', '--check']);
    expect(check.stdout).toContain('qa: dist/qa is current');
    expect(check.code).toBe(0);
  });

  it('refuses an existing name and a namespace it cannot derive, and leaves nothing behind a failed fill', async () => {
    const root = await repository();
    const taken = await runManifold(root, ['new', 'env', 'prod', '--from', 'dev']);
    expect(taken.stderr).toMatch(/^argument 1: overlays\/prod already exists/);
    expect(taken.code).toBe(2);
    const staging = join(root, 'overlays/staging/environment.yaml');
    await writeFile(staging, (await readFile(staging, 'utf8')).replace('namespace: acme-staging', 'namespace: acme-stage'));
    const underived = await runManifold(root, ['new', 'env', 'qa', '--from', 'staging']);
    expect(underived.stderr).toMatch(
      /^--namespace: "acme-stage" does not contain "staging" to replace\n {2}hint: give the new environment's value with --namespace/,
    );
    expect(underived.code).toBe(2);
    // A new prod requires digests: dev's pin without one cannot fill it, and the new folder goes again.
    await rm(join(root, 'overlays/prod'), { recursive: true });
    await rm(join(root, 'dist/prod'), { recursive: true });
    const images = join(root, 'overlays/dev/images.yaml');
    await writeFile(images, (await readFile(images, 'utf8')).replace(/(ghcr\.io\/acme\/web:main-3f2c1e9-1732150000)@sha256:[a-f0-9]{64}/, '$1'));
    const before = await snapshot(root);
    const unfillable = await runManifold(root, ['new', 'env', 'prod', '--from', 'dev', '--domain', 'acme.example']);
    expect(unfillable.stderr).toMatch(/^overlays\/dev\/images\.yaml:\d+:\d+: prod requires digests, but web\/web in dev has none/);
    expect(unfillable.code).toBe(2);
    expect(await snapshot(root)).toEqual(before);
    expect(existsSync(join(root, 'overlays/prod'))).toBe(false);
  });
});

describe('pnpm promote into a new environment', () => {
  it('adds the pins the target lacks for the apps it deploys; --only takes app names; an empty --only is refused', async () => {
    const root = await repository();
    await mkdir(join(root, 'overlays/qa'));
    const environment = (await readFile(join(root, 'overlays/dev/environment.yaml'), 'utf8')).replace('namespace: acme-dev', 'namespace: acme-qa');
    await writeFile(join(root, 'overlays/qa/environment.yaml'), `${environment}apps: [web, postgres]\n`);
    await writeFile(join(root, 'overlays/qa/images.yaml'), '# qa pins\n');
    const missing = await runManifold(root, ['synth', 'qa']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /: qa has no pin for 2 images its apps use: web\/web, postgres\/postgres\n {2}hint: pnpm manifold pin qa web\/web=<ref> postgres\/postgres=<ref>/,
    );
    const empty = await runManifold(root, ['promote', 'dev', 'qa', '--only', '']);
    expect(empty.stderr).toMatch(/^--only: item \d+ names nothing/);
    expect(empty.code).toBe(2);
    // web alone: qa still lacks postgres, so the re-synthesis refuses and nothing is written.
    const before = await snapshot(root);
    const web = await runManifold(root, ['promote', 'dev', 'qa', '--only', 'web']);
    expect(web.stdout).toContain('qa web/web: (none) -> main-3f2c1e9-1732150000');
    expect(web.stderr).toMatch(/app "postgres" uses image "postgres" but qa has no pin for it/);
    expect(web.code).toBe(2);
    expect(await snapshot(root)).toEqual(before);
    const all = await runManifold(root, ['promote', 'dev', 'qa']);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('qa postgres/postgres: (none) -> 16.6@sha256:');
    expect(all.stdout).not.toContain('ml-api');
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });
});

describe('manifold remove app', () => {
  it('removes the app, its pins and apps: entries everywhere, and the next synth prunes its files', async () => {
    const root = await repository();
    await writeFile(
      join(root, 'overlays/staging/environment.yaml'),
      `${await readFile(join(root, 'overlays/staging/environment.yaml'), 'utf8')}apps: [web, postgres, csv-ingestor, ml-api, jobs-manager]\n`,
    );
    const run = await runManifold(root, ['remove', 'app', 'csv-ingestor']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(existsSync(join(root, 'apps/csv-ingestor'))).toBe(false);
    for (const env of ['dev', 'staging', 'prod']) expect(await readFile(join(root, 'overlays', env, 'images.yaml'), 'utf8')).not.toMatch(/^csv-ingestor:/m);
    expect(await apps(root, 'staging')).toEqual(['web', 'postgres', 'ml-api', 'jobs-manager']);
    const synth = await runManifold(root, ['synth']);
    expect(synth.code, synth.stderr).toBe(0);
    expect(synth.stdout).toContain('prune  dist/dev/csv-ingestor/deployment-csv-ingestor.yaml');
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });

  it('refuses an unknown app and one with changes git has not committed', async () => {
    const root = await repository();
    const unknown = await runManifold(root, ['remove', 'app', 'nope']);
    expect(unknown.stderr).toMatch(/^argument 1: no app "nope" \(apps\/nope does not exist\)/);
    expect(unknown.code).toBe(2);
    const git = (...args: string[]) =>
      spawnSync('git', args, {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
      });
    git('init', '--quiet');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'example');
    await writeFile(join(root, 'apps/web/src/extra.ts'), 'export const x = 1;\n');
    const before = await snapshot(root);
    const dirty = await runManifold(root, ['remove', 'app', 'web']);
    expect(dirty.stderr).toMatch(
      /^argument 1: apps\/web has changes git has not committed \(1 path, e\.g\. apps\/web\/src\/extra\.ts\)\n {2}hint: commit or stash them first, or pass --force/,
    );
    expect(dirty.code).toBe(2);
    expect(await snapshot(root)).toEqual(before);
    expect((await runManifold(root, ['remove', 'app', 'web', '--force'])).code).toBe(0);
    expect(existsSync(join(root, 'apps/web'))).toBe(false);
  });
});

describe('manifold rename env', () => {
  it('renames the overlays and dist/ folders, what is named after the environment and every promotesFrom naming it', async () => {
    const root = await repository();
    await writeFile(join(root, 'dist/staging/NOTES.md'), 'kept\n');
    const run = await runManifold(root, ['rename', 'env', 'staging', 'stage']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(parse(await readFile(join(root, 'overlays/stage/environment.yaml'), 'utf8'))).toMatchObject({
      namespace: 'acme-stage',
      domain: 'stage.acme.example',
    });
    expect(parse(await readFile(join(root, 'overlays/prod/environment.yaml'), 'utf8'))).toMatchObject({ promotesFrom: 'stage' });
    expect(existsSync(join(root, 'overlays/staging'))).toBe(false);
    const synth = await runManifold(root, ['synth']);
    expect(synth.code, synth.stderr).toBe(0);
    expect(await readFile(join(root, 'overlays/stage/images.yaml'), 'utf8')).toContain('"flux-system:stage-web-web"');
    expect(await readFile(join(root, 'dist/stage/NOTES.md'), 'utf8')).toBe('kept\n');
    expect(await readFile(join(root, 'dist/stage/web/deployment-web.yaml'), 'utf8')).toContain('namespace: acme-stage');
    expect(existsSync(join(root, 'dist/staging'))).toBe(false);
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });

  it('refuses an unknown environment and a name that is taken', async () => {
    const root = await repository();
    const before = await snapshot(root);
    const unknown = await runManifold(root, ['rename', 'env', 'qa', 'test']);
    expect(unknown.stderr).toMatch(/^argument 1: no environment "qa"/);
    const taken = await runManifold(root, ['rename', 'env', 'staging', 'prod']);
    expect(taken.stderr).toMatch(/^argument 2: overlays\/prod already exists/);
    expect([unknown.code, taken.code]).toEqual([2, 2]);
    expect(await snapshot(root)).toEqual(before);
  });
});

describe('pnpm bench', () => {
  it('prints its usage for --help and refuses a bad argument, running nothing', () => {
    const bench = (...args: string[]) =>
      spawnSync(join(REPO_ROOT, 'node_modules/.bin/tsx'), [join(REPO_ROOT, 'bench/synth-bench.ts'), ...args], { encoding: 'utf8' });
    const help = bench('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: pnpm bench \[N…\] \[--runs R\]\n/);
    const bad = bench('--runs', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^pnpm bench: --runs must be a whole number of runs, got "0"\nusage:/);
  });
});
