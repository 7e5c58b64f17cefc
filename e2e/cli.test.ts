import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, copyRepository, REPO_ROOT, runManifold, runManifoldIn, snapshot } from './temp-repo.ts';

const runIn = (cwd: string, args: readonly string[]): Promise<CliRun> => runManifoldIn(cwd, args);

describe('the manifold command', () => {
  it('finds the repository root from any folder inside it, like git', async () => {
    const root = await copyRepository();
    const run = await runIn(join(root, 'overlays/dev'), ['synth', '--check']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('prod: dist/prod is current');
  });

  it('refuses to run outside a Manifold repository and creates nothing there', async () => {
    const root = await copyRepository();
    const outside = join(root, '..');
    const before = await snapshot(join(root, 'overlays'));
    const run = await runIn(join(root, 'overlays', '..', '..'), ['synth']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^not a Manifold repository/);
    const explicit = await runIn(root, ['--root', join(root, 'overlays'), 'synth', '--check']);
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toMatch(/^not a Manifold repository: .*overlays has no apps\/ and overlays\//);
    await expect(readFile(join(outside, 'dist/.manifold.lock'))).rejects.toThrow();
    expect(await snapshot(join(root, 'overlays'))).toEqual(before);
  });

  it('refuses bad option values and conflicting options, naming the flag', async () => {
    const root = await copyRepository();
    const cases: [string[], RegExp][] = [
      [['rollback', 'dev', 'web', '--steps', '0'], /option '--steps <n>' argument '0' is invalid/],
      [['rollback', 'dev', 'web', '--steps', '2', '--to', 'x:1'], /option '--steps <n>' cannot be used with option '--to <ref>'/],
      [['pin', 'dev', 'web=ghcr.io/acme/web:v1', '--by', 'robot'], /option '--by <setter>' argument 'robot' is invalid/],
      [['pin', 'dev', 'web=ghcr.io/acme/web:v1', '--timeout', 'soon'], /option '--timeout <seconds>' argument 'soon' is invalid/],
      [['promote', 'dev', 'dev'], /promote needs two different environments, got "dev" twice/],
      [['promote', 'dev', 'staging', '--markdown', '--json'], /cannot be used with option '--json'/],
      // Refused before any request: plain HTTP to a public host would carry credentials in clear.
      [
        ['pin', 'dev', 'web=ghcr.io/acme/web:v1', '--insecure-registry', 'ghcr.io'],
        /^--insecure-registry: "ghcr\.io" is not a loopback or private-network host/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runManifold(root, args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });

  it('prints its version', async () => {
    const run = await runIn(REPO_ROOT, ['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(JSON.parse(await readFile(join(REPO_ROOT, 'cli/package.json'), 'utf8')).version);
  });

  it('prints what synth and synth --check did as JSON', async () => {
    const root = await copyRepository();
    await rm(join(root, 'dist/dev/web/service-web.yaml'));
    const check = await runManifold(root, ['synth', '--check', '--json']);
    expect(check.code).toBe(1);
    const checked = JSON.parse(check.stdout);
    expect(checked.current).toBe(false);
    expect(checked.environments.dev.missing).toEqual(['dist/dev/web/service-web.yaml']);
    expect(checked.environments.prod).toMatchObject({ stale: [], missing: [], orphaned: [], foreign: [] });
    // Every app was either built or taken from an earlier run's render.
    const { rendered, reused } = checked.environments.prod.apps;
    expect([...rendered, ...reused].sort()).toEqual(['csv-ingestor', 'jobs-manager', 'ml-api', 'postgres', 'web']);
    const run = await runManifold(root, ['synth', 'dev', '--json']);
    expect(run.code).toBe(0);
    const written = JSON.parse(run.stdout);
    expect(written.environments.dev.written).toEqual(['dist/dev/web/service-web.yaml']);
    expect(written.environments.dev.unchanged).toContain('dist/dev/web/deployment-web.yaml');
    expect(written.environments.dev.pruned).toEqual([]);
  });

  it('shows the stack of an app failure only with --verbose', async () => {
    const root = await copyRepository();
    const app = join(root, 'apps/web/src/index.ts');
    await writeFile(app, (await readFile(app, 'utf8')).replace('build(chart, env) {', "build(chart, env) {\n    throw new Error('broken');"));
    const quiet = await runManifold(root, ['synth', '--check']);
    expect(quiet.stderr.trimEnd().split('\n')).toHaveLength(2);
    const verbose = await runManifold(root, ['--verbose', 'synth', '--check']);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(/Error: broken\n\s+at .*apps\/web\/src\/index\.ts:8:\d+/);
  });
});

describe('files in dist/<env> that synth did not generate', () => {
  it('are kept by synth and reported, not failed, by --check', async () => {
    const root = await copyRepository();
    await writeFile(join(root, 'dist/dev/NOTES.md'), '# notes\n');
    const check = await runManifold(root, ['synth', '--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('foreign:  dist/dev/NOTES.md (not generated by manifold; kept, not synced)');
    const run = await runManifold(root, ['synth']);
    expect(run.code).toBe(0);
    expect(await readFile(join(root, 'dist/dev/NOTES.md'), 'utf8')).toBe('# notes\n');
    expect(await readFile(join(root, 'dist/dev/kustomization.yaml'), 'utf8')).not.toContain('NOTES.md');
  });

  it('come back under ownership after a lost index when they hold exactly what synth writes', async () => {
    const root = await copyRepository();
    const index = await readFile(join(root, 'dist/dev/.manifold-index'), 'utf8');
    await rm(join(root, 'dist/dev/.manifold-index'));
    expect((await runManifold(root, ['synth', '--check'])).stdout).toContain('missing:  dist/dev/.manifold-index');
    const run = await runManifold(root, ['synth', 'dev']);
    expect(run.code).toBe(0);
    expect(await readFile(join(root, 'dist/dev/.manifold-index'), 'utf8')).toBe(index);
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });

  it('refuses bad board inputs with one located line and no stack: drift files, output folder, commit URL', async () => {
    const root = await copyRepository();
    const drift = (name: string, text: string) => writeFile(join(root, '..', name), text).then(() => join(root, '..', name));
    const cases: [string[], RegExp][] = [
      [
        ['board', '--drift', `dev=${await drift('array.json', '[1, 2]')}`],
        /^\/\S+\/array\.json:1:1: expected the output of pnpm manifold esc pull <env> --check --json/,
      ],
      [['board', '--drift', `dev=${await drift('broken.json', '{\n  "differing": [')}`], /^\/\S+\/broken\.json:\d+:\d+: is not JSON: /],
      [['board', '--drift', `qa=${await drift('qa.json', '{"differing": []}')}`], /^--drift: no environment "qa"\n {2}hint: environments: dev, prod, staging/],
      [['board', '--drift', `dev=${join(root, '..', 'missing.json')}`], /^\/\S+\/missing\.json:1:1: cannot be read \(ENOENT\)/],
      [['board', '--commit-url', 'javascript:alert(1)/{sha}'], /^--commit-url: "javascript:alert\(1\)\/\{sha\}" is not an http\(s\) URL/],
    ];
    for (const [args, message] of cases) {
      const run = await runManifold(root, args);
      expect(run.stderr, args.join(' ')).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.code).toBe(2);
    }
    // A folder where mkdir cannot succeed fails at once (a recursive mkdir spins on /proc).
    const proc = await runManifold(root, ['board', '--out', '/proc/manifold-board']);
    expect(proc.stderr).toBe('cannot mkdir /proc/manifold-board: ENOENT (mkdir); nothing was written\n  hint: fix the cause, then run the command again\n');
    expect(proc.code).toBe(1);
  });

  it('says in one line that history needs git, outside a git repository', async () => {
    const root = await copyRepository();
    const rollback = await runManifold(root, ['rollback', 'prod', 'web']);
    expect(rollback.stderr).toMatch(/^the history of overlays\/prod\/images\.yaml comes from git, but \S+ is not a git repository\n {2}hint: .*--to <ref>\n$/);
    expect(rollback.code).toBe(2);
    const diff = await runManifold(root, ['diff', '--base', 'HEAD']);
    expect(diff.stderr).toMatch(/^--base HEAD compares with a git revision, but \S+ is not a git repository\n/);
    expect(diff.code).toBe(2);
  });

  it('keeps a team packageRule where it was around the rules pnpm manifold renovate writes (later rules win)', async () => {
    const root = await copyRepository();
    expect((await runManifold(root, ['renovate'])).code).toBe(0);
    const written = JSON.parse(await readFile(join(root, 'renovate.json'), 'utf8')) as { packageRules: { description?: string }[] };
    const first = { description: 'team: before everything', enabled: true };
    const last = { description: 'team: overrides Manifold', matchDepNames: ['dev-web-web'], enabled: false };
    written.packageRules = [first, ...written.packageRules, last];
    await writeFile(join(root, 'renovate.json'), `${JSON.stringify(written, null, 2)}\n`);
    const images = join(root, 'overlays/dev/images.yaml');
    await writeFile(images, (await readFile(images, 'utf8')).replace('sort: numerical', 'sort: alphabetical'));
    const run = await runManifold(root, ['renovate']);
    expect(run.stderr).toBe('');
    const rules = (JSON.parse(await readFile(join(root, 'renovate.json'), 'utf8')) as { packageRules: { description?: string }[] }).packageRules;
    expect(rules[0]).toEqual(first);
    expect(rules.at(-1)).toEqual(last);
    expect(rules.slice(1, -1).every((rule) => rule.description?.startsWith('manifold:'))).toBe(true);
  });
});
