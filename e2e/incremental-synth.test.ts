/**
 * Incremental synth: after a change to each class of input, a synth that reuses earlier renders
 * writes exactly what a cold render (`--no-cache`) writes, byte for byte, and re-renders only the
 * apps the change reaches. A damaged render cache is ignored.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { copyRepository, editFile, runManifold } from './temp-repo.ts';

type Apps = Record<string, { rendered: string[]; reused: string[] }>;

describe('incremental synth', () => {
  /** The repository as every test starts from it: set up and synthesized once, copied for each test. */
  let baseline: string;
  /** This test's own copy of {@link baseline}: a failing test leaves nothing behind for the next. */
  let root: string;
  /** The app entry files the launcher compiled for the last {@link synthAndCompare}. */
  let compiled: string[] = [];

  /** Synth with the cache; returns which apps it built per environment, after proving a cold render agrees. */
  async function synthAndCompare(): Promise<Apps> {
    const cached = await runManifold(root, ['synth', '--json']);
    expect(cached.code, cached.stderr).toBe(0);
    const cold = await runManifold(root, ['synth', '--check', '--no-cache', '--json']);
    expect(cold.code, cold.stdout).toBe(0);
    const result = JSON.parse(cached.stdout) as { compiled: string[]; environments: Record<string, { apps: Apps[string] }> };
    compiled = result.compiled;
    const environments = result.environments;
    return Object.fromEntries(Object.entries(environments).map(([env, { apps }]) => [env, apps]));
  }
  /** Runs manifold with `args` (and --json); what it reports per environment. */
  async function environmentsOf(args: readonly string[]): Promise<Record<string, { verified: boolean; written: string[]; apps: Apps[string] }>> {
    return (
      JSON.parse((await runManifold(root, [...args, '--json'])).stdout) as {
        environments: Record<string, { verified: boolean; written: string[]; apps: Apps[string] }>;
      }
    ).environments;
  }
  /** The pins of web in an images.yaml: its entry, up to the next one. */
  const WEB_PINS = /^web:\n(?: .*\n)*/m;
  const built = (apps: Apps) =>
    Object.entries(apps)
      .flatMap(([env, { rendered }]) => rendered.map((app) => `${env}/${app}`))
      .sort();

  /** Points the package `label-source` at version `version`, as an install of another version would. */
  async function installLabelSource(version: string): Promise<void> {
    const dir = join(root, 'node_modules', '.store', `label-source@${version}`, 'node_modules', 'label-source');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'label-source', version, type: 'module', main: 'index.js' }));
    await writeFile(join(dir, 'index.js'), `export const tier = 'tier-${version}';\n`);
    await rm(join(root, 'node_modules', 'label-source'), { force: true });
    await symlink(dir, join(root, 'node_modules', 'label-source'));
  }

  beforeAll(async () => {
    // Caches of its own, and a node_modules in which a dependency can change version.
    root = await copyRepository(undefined, { ownCaches: true });
    baseline = root;
    await installLabelSource('1.0.0');
    await editFile(
      join(root, 'apps/ml-api/src/index.ts'),
      (text) => `import { tier } from 'label-source';\n${text.replace(/env: \{/, 'env: {\n        TIER: tier,')}`,
    );
    // web builds its frontend with a construct of the repository's own, in a module only it imports.
    await mkdir(join(root, 'apps/lib'));
    await writeFile(
      join(root, 'apps/lib/edge.ts'),
      `import { WebService } from '@manifold/constructs';\nimport type { Construct } from 'constructs';\n\n/** The frontend with the settings every edge service shares. */\nexport class EdgeService extends WebService {\n  constructor(scope: Construct, id: string, props: ConstructorParameters<typeof WebService>[2]) {\n    super(scope, id, { ...props, env: { ...props.env, EDGE: 'on' } });\n  }\n}\n`,
    );
    await editFile(join(root, 'apps/web/src/index.ts'), (text) =>
      text
        .replace(
          "import { defineApp, WebService } from '@manifold/constructs';",
          `import { defineApp } from '@manifold/constructs';\nimport { EdgeService } from '${['..', '..', 'lib', 'edge.ts'].join('/')}';`,
        )
        .replace('new WebService(chart', 'new EdgeService(chart'),
    );
    // The launcher compiles again any file changed less than a second before it compiled (it may have
    // read it mid-change); a checkout is older than that, so the edits above are made to look older too.
    const past = new Date(Date.now() - 60_000);
    for (const file of ['apps/ml-api/src/index.ts', 'apps/lib/edge.ts', 'apps/web/src/index.ts']) await utimes(join(root, file), past, past);
    const first = await runManifold(root, ['synth']);
    expect(first.code, first.stderr).toBe(0);
  });

  beforeEach(async () => {
    root = await mkdtemp(join(dirname(baseline), 'manifold-incremental-'));
    // Links stay links (node_modules points into the workspace); times are kept, as a checkout keeps them.
    await cp(baseline, root, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await installLabelSource('1.0.0');
    // A copy has new inodes, so its stamps no longer vouch for dist/: one run re-stamps it from the cached renders.
    const restamp = await runManifold(root, ['synth']);
    expect(restamp.code, restamp.stderr).toBe(0);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('renders nothing when nothing changed: every environment is verified from its stamp', async () => {
    const environments = await environmentsOf(['synth']);
    expect(Object.values(environments).map(({ verified, written }) => [verified, written.length])).toEqual([
      [true, 0],
      [true, 0],
      [true, 0],
    ]);
    expect(built(await synthAndCompare())).toEqual([]);
    expect(compiled).toEqual([]);
  });

  it('still finds a hand edit of dist/ made after a run, and a file added there', async () => {
    const file = join(root, 'dist/dev/web/deployment-web.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('replicas: 1', 'replicas: 9'));
    const check = await runManifold(root, ['synth', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('stale:    dist/dev/web/deployment-web.yaml');
    await writeFile(file, original);
    await writeFile(join(root, 'dist/dev/notes.txt'), 'mine\n');
    const foreign = await runManifold(root, ['synth', '--check']);
    expect(foreign.code).toBe(0);
    expect(foreign.stdout).toContain('foreign:  dist/dev/notes.txt');
    await rm(join(root, 'dist/dev/notes.txt'));
  });

  it('renders no app again when only comments of an environment settings file changed', async () => {
    await editFile(join(root, 'overlays/dev/environment.yaml'), (text) => `# a comment\n${text.replace(/^(namespace: \S+)$/m, '$1 # and another')}`);
    const dev = (await environmentsOf(['synth'])).dev;
    // Its stamp no longer matches the file: the environment is placed again, from the apps' kept renders.
    expect([dev?.verified, dev?.apps.rendered, dev?.apps.reused.length]).toEqual([false, [], 5]);
    expect(built(await synthAndCompare())).toEqual([]);
    expect(compiled).toEqual([]);
  });

  it('re-renders an app whose code changed, in every environment, and nothing else', async () => {
    await editFile(join(root, 'apps/web/src/index.ts'), (text) => text.replace("NEXT_TELEMETRY_DISABLED: '1'", "NEXT_TELEMETRY_DISABLED: '0'"));
    expect(built(await synthAndCompare())).toEqual(['dev/web', 'prod/web', 'staging/web']);
    // Each app is compiled on its own: the others' compiled code is kept.
    expect(compiled).toEqual(['apps/web/src/index.ts']);
  });

  it('leaves an environment that does not deploy an edited app verified from its stamp', async () => {
    // staging and prod without web: an apps: list, and no pin for it.
    for (const env of ['staging', 'prod']) {
      await editFile(join(root, `overlays/${env}/environment.yaml`), (text) => `${text}apps: [csv-ingestor, jobs-manager, ml-api, postgres]\n`);
      await editFile(join(root, `overlays/${env}/images.yaml`), (text) => text.replace(WEB_PINS, ''));
    }
    // Their settings changed: their apps render again, web nowhere.
    expect(built(await synthAndCompare()).every((app) => /^(staging|prod)\//.test(app) && !app.endsWith('/web'))).toBe(true);
    await editFile(join(root, 'apps/web/src/index.ts'), (text) => text.replace("NEXT_TELEMETRY_DISABLED: '1'", "NEXT_TELEMETRY_DISABLED: '0'"));
    const environments = await environmentsOf(['synth']);
    expect([environments.dev?.verified, environments.staging?.verified, environments.prod?.verified]).toEqual([false, true, true]);
    expect(environments.dev?.apps.rendered).toEqual(['web']);
    expect(built(await synthAndCompare())).toEqual([]);
  });

  it('renders only the app added to an apps: list', async () => {
    const environment = join(root, 'overlays/staging/environment.yaml');
    const images = join(root, 'overlays/staging/images.yaml');
    const web = WEB_PINS.exec(await readFile(images, 'utf8'))?.[0] ?? '';
    await editFile(environment, (text) => `${text}apps:\n  - csv-ingestor\n  - jobs-manager\n  - ml-api\n  - postgres\n`);
    await editFile(images, (text) => text.replace(web, ''));
    await synthAndCompare();
    await editFile(environment, (text) => `${text}  - web\n`);
    await editFile(images, (text) => `${text}${web}`);
    expect(built(await synthAndCompare())).toEqual(['staging/web']);
  });

  it('re-renders the apps that import a shared module or construct that changed', async () => {
    await editFile(join(root, 'apps/lib/edge.ts'), (text) => text.replace("EDGE: 'on'", "EDGE: 'strict'"));
    expect(built(await synthAndCompare())).toEqual(['dev/web', 'prod/web', 'staging/web']);
    expect(compiled).toEqual(['apps/web/src/index.ts']);
  });

  it('re-renders one environment when one of its settings changed', async () => {
    await editFile(join(root, 'overlays/staging/environment.yaml'), (text) => text.replace(/domain: (\S+)/, 'domain: next.$1'));
    const apps = await synthAndCompare();
    expect(built(apps).every((app) => app.startsWith('staging/'))).toBe(true);
    expect(apps.staging?.reused).toEqual([]);
    await editFile(join(root, 'overlays/prod/environment.yaml'), (text) => text.replace('  medium:\n    replicas: 3', '  medium:\n    replicas: 4'));
    expect(built(await synthAndCompare()).every((app) => app.startsWith('prod/'))).toBe(true);
  });

  it('re-renders only the app whose pin changed, and only there', async () => {
    await editFile(join(root, 'overlays/dev/images.yaml'), (text) =>
      text.replace(/main-8d41b07-1732160100@sha256:[a-f0-9]{64}/, `main-8d41b07-1732169999@sha256:${'9'.repeat(64)}`),
    );
    expect(built(await synthAndCompare())).toEqual(['dev/ml-api']);
    expect(compiled).toEqual([]);
  });

  it('finds a hand edit in one environment while another renders (stamps checked beside the render)', async () => {
    await editFile(join(root, 'overlays/dev/images.yaml'), (text) =>
      text.replace(/main-8d41b07-1732160100@sha256:[a-f0-9]{64}/, `main-8d41b07-1732169999@sha256:${'9'.repeat(64)}`),
    );
    const file = join(root, 'dist/staging/web/deployment-web.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace(/replicas: \d+/, 'replicas: 9'));
    const check = await runManifold(root, ['synth', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('stale:    dist/staging/web/deployment-web.yaml');
    const run = await runManifold(root, ['synth', '--force', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const environments = (JSON.parse(run.stdout) as { environments: Record<string, { verified: boolean; written: string[] }> }).environments;
    expect(Object.entries(environments).map(([env, { verified, written }]) => [env, verified, written])).toEqual([
      ['dev', false, ['dist/dev/ml-api/deployment-ml-api.yaml']],
      ['prod', true, []],
      ['staging', false, ['dist/staging/web/deployment-web.yaml']],
    ]);
    expect(await readFile(file, 'utf8')).toBe(original);
    expect(built(await synthAndCompare())).toEqual([]);
  });

  it('re-renders the apps that use a dependency whose version changed', async () => {
    await installLabelSource('2.0.0');
    expect(built(await synthAndCompare())).toEqual(['dev/ml-api', 'prod/ml-api', 'staging/ml-api']);
    expect(compiled).toEqual(['apps/ml-api/src/index.ts']);
    expect(await readFile(join(root, 'dist/dev/ml-api/deployment-ml-api.yaml'), 'utf8')).toContain('tier-2.0.0');
  });

  it('names the file, line and column of an app that does not compile, and then compiles that app alone', async () => {
    const file = join(root, 'apps/web/src/index.ts');
    const source = await readFile(file, 'utf8');
    await writeFile(file, `${source}const broken = ;\n`);
    const refused = await runManifold(root, ['synth']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^apps/web/src/index\\.ts:${source.split('\n').length}:16: cannot compile: Unexpected ";"\n  hint: `));
    await writeFile(file, source);
    expect(built(await synthAndCompare())).toEqual([]);
    expect(compiled).toEqual(['apps/web/src/index.ts']);
  });

  it('ignores a damaged or tampered cache and renders again', async () => {
    const cacheRoot = join(root, 'node_modules', '.cache', 'manifold', 'renders');
    // The renders of the code as this copy compiled it: the newest key (the baseline's own stays beside it).
    const keys = await Promise.all((await readdir(cacheRoot)).map(async (name) => ({ name, at: (await stat(join(cacheRoot, name))).mtimeMs })));
    const key = keys.sort((a, b) => b.at - a.at)[0]?.name ?? '';
    // Beside the packs: the stamps, and the parses of images.yaml entries (yaml-entries.ts).
    const packs = (await readdir(join(cacheRoot, key))).filter((name) => name.endsWith('.renders'));
    expect(packs.sort()).toEqual(['dev.renders', 'prod.renders', 'staging.renders']);
    const shards = async (env: string) => (await readdir(join(cacheRoot, key, `${env}.renders`))).map((name) => join(cacheRoot, key, `${env}.renders`, name));
    // A damaged stamp: dev is rendered (from its renders), the others are verified as before.
    await writeFile(join(cacheRoot, key, 'stamps', 'dev.json'), '{"key": "forged", "files": []}');
    const stamped = await environmentsOf(['synth', '--check']);
    expect([stamped.dev?.verified, stamped.prod?.verified]).toEqual([false, true]);
    expect(stamped.dev?.apps.reused).toHaveLength(5);
    // Without stamps, a tampered pack (its checksum no longer matches) and a truncated one are not trusted.
    await rm(join(cacheRoot, key, 'stamps'), { recursive: true });
    for (const file of await shards('dev')) {
      // The last YAML of each pack changed, its checksum not.
      await editFile(file, (text) => `${text.slice(0, text.lastIndexOf('kind: '))}kind:  ${text.slice(text.lastIndexOf('kind: ') + 6)}`);
    }
    for (const file of await shards('prod')) await writeFile(file, (await readFile(file, 'utf8')).slice(0, 80));
    const apps = await synthAndCompare();
    expect(apps.dev?.reused).toEqual([]);
    expect(apps.prod?.reused).toEqual([]);
    expect(apps.staging?.rendered).toEqual([]);
    expect(apps.staging?.reused).toHaveLength(5);
  });

  it("keeps V8's compiled code beside the bundle, and runs as before when that code is damaged", async () => {
    const cacheDir = join(root, 'node_modules', '.cache', 'manifold');
    // The bundle folder of this copy: the one its manifest names (the baseline's own stays beside it).
    const manifests = (await readdir(cacheDir)).filter((name) => /^[a-f0-9]{16}\.json$/.test(name));
    const bundles = await Promise.all(manifests.map(async (name) => dirname(JSON.parse(await readFile(join(cacheDir, name), 'utf8')).bundle as string)));
    const compiledCode = bundles.map((bundle) => join(bundle, 'compiled-code')).find((folder) => folder.startsWith(cacheDir));
    const entries = (await readdir(compiledCode ?? '', { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
    // The CLI's modules and the packages it loaded (cdk8s among them): dozens of modules.
    expect(entries.length).toBeGreaterThan(20);
    for (const entry of entries) await writeFile(join(entry.parentPath, entry.name), 'damaged');
    await editFile(join(root, 'overlays/dev/environment.yaml'), (text) => text.replace(/domain: (\S+)/, 'domain: next.$1'));
    const apps = await synthAndCompare();
    expect(apps.dev?.rendered).toHaveLength(5);
  });
});
