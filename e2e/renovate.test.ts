/**
 * renovate.json proven with Renovate itself (`--platform=local`, offline) against a real registry on
 * loopback: it finds exactly the pins that have an update policy and no hold, nothing in dist/, and
 * proposes for each the tag its Flux policy would select, with that tag's digest.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compilePolicy } from '../cli/src/config/update-policy.ts';
import { bareRemoteOf, committedCopy, git, scriptEnvironment } from './git-repository.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { renovateBinary } from './renovate/renovate-cli.ts';
import { REPO_ROOT, runManifold } from './temp-repo.ts';

const run = promisify(execFile);

interface PinFile {
  [app: string]: { [image: string]: { ref: string; update?: Parameters<typeof compilePolicy>[0]; hold?: boolean } };
}

/** A dependency as Renovate logs it in "packageFiles with updates". */
interface RenovateDep {
  depName: string;
  packageName: string;
  currentValue: string;
  currentDigest?: string;
  skipReason?: string;
  updates: { newValue: string; newDigest?: string; updateType: string }[];
}

describe('renovate.json, run by Renovate', () => {
  let registry: TestRegistry;
  let root: string;
  let found: Map<string, RenovateDep & { packageFile: string }>;
  let branches: number;
  const tags = new Map<string, Map<string, string>>(); // repository → tag → digest

  beforeAll(async () => {
    const binary = await renovateBinary();
    registry = await startRegistry('open');
    root = await committedCopy();
    // Every pin points at the loopback registry; each repository gets its pinned tags, newer tags
    // its policy accepts, and newer-looking tags it must refuse.
    for (const env of ['dev', 'staging', 'prod']) {
      const file = join(root, 'overlays', env, 'images.yaml');
      const text = (await readFile(file, 'utf8'))
        .replaceAll('ghcr.io/acme/', `${registry.host}/acme/`)
        .replaceAll('docker.io/library/', `${registry.host}/library/`);
      await writeFile(file, env === 'staging' ? text.replace(/(\n {2}web:\n {4}ref: [^\n]*\n)/, '$1    hold: true\n') : text);
    }
    const wanted = new Map<string, Set<string>>();
    for (const env of ['dev', 'staging', 'prod']) {
      const pins = parse(await readFile(join(root, 'overlays', env, 'images.yaml'), 'utf8')) as PinFile;
      for (const images of Object.values(pins))
        for (const pin of Object.values(images)) {
          const [name = '', tag = ''] = pin.ref.split('@')[0]?.split(/:(?=[^:/]+$)/) ?? [];
          const repository = name.slice(registry.host.length + 1);
          wanted.set(repository, (wanted.get(repository) ?? new Set()).add(tag));
        }
    }
    for (const [repository, current] of wanted) {
      const extra = repository === 'library/postgres' ? ['16.9', '16.10-rc1', '17.2', 'latest'] : ['main-fffffff-1799999999', 'feature-abc-1899999999'];
      const pushed = new Map<string, string>();
      for (const tag of [...current, ...extra]) pushed.set(tag, await pushImage(registry, repository, tag, 'manifest', `${repository}:${tag}`));
      tags.set(repository, pushed);
    }
    // Markers and renovate.json follow the edited pins, as a team would commit them.
    for (const args of [['synth'], ['renovate']]) {
      const result = await runManifold(root, args);
      expect(result.code, result.stderr).toBe(0);
    }
    git(root, 'add', '-A');
    git(root, 'commit', '--quiet', '-m', 'pins on the test registry');
    const home = await mkdtemp(join(tmpdir(), 'renovate-'));
    const globalConfig = join(home, 'config.json');
    await writeFile(
      globalConfig,
      JSON.stringify({
        onboarding: false,
        requireConfig: 'optional',
        // Only the pins: the npm manager would need registry.npmjs.org, which an offline run cannot reach.
        enabledManagers: ['custom.regex'],
        packageRules: [{ matchDatasources: ['docker'], registryUrls: [`http://${registry.host}`] }],
      }),
    );
    const { stdout } = await run(process.execPath, [binary, '--platform=local'], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
      timeout: 300_000,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        RENOVATE_CONFIG_FILE: globalConfig,
        RENOVATE_BASE_DIR: join(home, 'base'),
        RENOVATE_X_IGNORE_NODE_WARN: 'true',
      },
    });
    await writeFile(join(home, 'renovate.log'), stdout);
    const log = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; config?: Record<string, { packageFile: string; deps: RenovateDep[] }[]> });
    const record = log.find((entry) => entry.msg === 'packageFiles with updates');
    // The branches (pull requests) Renovate would open, after its package rules dropped disabled updates.
    branches = Number(/^Returning (\d+) branch/.exec(log.find((entry) => /^Returning \d+ branch/.test(entry.msg))?.msg ?? '')?.[1]);
    if (!record?.config) throw new Error(`Renovate logged no "packageFiles with updates"; log in ${join(home, 'renovate.log')}`);
    found = new Map(
      Object.values(record.config)
        .flat()
        .flatMap(({ packageFile, deps }) => deps.map((dep) => [dep.depName, { ...dep, packageFile }] as const)),
    );
  }, 900_000);
  afterAll(() => registry?.stop());

  it('finds the pins that have an update policy and no hold, and nothing in dist/', async () => {
    const images = await runManifold(root, ['images', '--json']);
    const moving = (JSON.parse(images.stdout) as { env: string; image: string; mode: string }[])
      .filter((row) => row.mode === 'auto')
      .map((row) => `${row.env}-${row.image.replace('/', '-')}`)
      .sort();
    expect(moving.length).toBeGreaterThan(5);
    expect(moving).not.toContain('staging-web-web');
    expect([...found.keys()].sort()).toEqual(moving);
    for (const dep of found.values()) expect(dep.packageFile).toMatch(/^overlays\/[a-z]+\/images\.yaml$/);
  });

  it('proposes, for each pin, the tag its Flux policy selects among the registry tags, with that tag digest, and nothing else', async () => {
    let moved = 0;
    for (const env of ['dev', 'staging', 'prod']) {
      const pins = parse(await readFile(join(root, 'overlays', env, 'images.yaml'), 'utf8')) as PinFile;
      for (const [app, images] of Object.entries(pins))
        for (const [image, pin] of Object.entries(images)) {
          const dep = found.get(`${env}-${app}-${image}`);
          if (!pin.update || pin.hold || !dep) continue;
          const repository = dep.packageName.slice(registry.host.length + 1);
          const available = tags.get(repository) ?? new Map();
          const latest = compilePolicy(pin.update).latest([...available.keys()]);
          expect(dep.skipReason, `${env} ${app}/${image}`).toBeUndefined();
          // The pins' digests are made up, so Renovate also finds digest-only updates: renovate.json disables those.
          const tagMoves = dep.updates.filter((update) => update.updateType !== 'digest');
          if (latest === dep.currentValue) {
            expect(tagMoves, `${env} ${app}/${image}`).toEqual([]);
            continue;
          }
          moved++;
          expect(
            tagMoves.map(({ newValue, newDigest }) => ({ newValue, newDigest })),
            `${env} ${app}/${image}`,
          ).toEqual([{ newValue: latest, newDigest: available.get(latest ?? '') }]);
        }
    }
    expect(moved).toBeGreaterThan(5);
    expect(branches).toBe(moved);
  });

  it('is what pnpm manifold renovate --check accepts', async () => {
    const check = await runManifold(root, ['renovate', '--check']);
    expect(check.code, check.stdout).toBe(0);
  });
});

describe('the renovate-pins workflow step', () => {
  it('re-synthesizes a Renovate branch and commits dist/ back to it as the bot, after which synth --check is green', async () => {
    const { remote, clone } = await bareRemoteOf(await committedCopy());
    // Renovate's commit: tag and digest of one pin line, nothing else.
    const renovate = await clone('renovate');
    git(renovate, 'checkout', '--quiet', '-b', 'renovate/dev-web-web-1799999999.x');
    const file = join(renovate, 'overlays/dev/images.yaml');
    const moved = `main-fffffff-1799999999@sha256:${'7'.repeat(64)}`;
    await writeFile(file, (await readFile(file, 'utf8')).replace(/main-3f2c1e9-1732150000@sha256:[a-f0-9]{64}/, moved));
    git(
      renovate,
      '-c',
      'user.name=renovate[bot]',
      '-c',
      'user.email=bot@renovateapp.com',
      'commit',
      '--quiet',
      '-am',
      'Update dev-web-web to main-fffffff-1799999999',
    );
    git(renovate, 'push', '--quiet', 'origin', 'HEAD');
    // CI checks the branch out and runs the workflow's script.
    const ci = await clone('ci');
    git(ci, 'checkout', '--quiet', 'renovate/dev-web-web-1799999999.x');
    const guard = await run(join(REPO_ROOT, '.github/scripts/only-pin-changes.sh'), ['origin/main'], { cwd: ci });
    expect(guard.stdout).toMatch(/^only pins and dist\/ change since [0-9a-f]+$/m);
    await run(join(REPO_ROOT, '.github/scripts/resynthesize-branch.sh'), ['chore(dist): re-synthesize after Renovate moved pins'], {
      cwd: ci,
      env: scriptEnvironment({ GIT_AUTHOR_NAME: 'github-actions[bot]', GIT_AUTHOR_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com' }),
    });
    const log = git(remote, 'log', '--format=%an|%ae|%s', '-2', 'renovate/dev-web-web-1799999999.x').trim().split('\n');
    expect(log[0]).toBe('github-actions[bot]|41898282+github-actions[bot]@users.noreply.github.com|chore(dist): re-synthesize after Renovate moved pins');
    expect(log[1]).toMatch(/\|Update dev-web-web to main-fffffff-1799999999$/);
    const changed = git(remote, 'diff', '--name-only', 'renovate/dev-web-web-1799999999.x~1', 'renovate/dev-web-web-1799999999.x').trim().split('\n');
    expect(changed).toContain('dist/dev/web/deployment-web.yaml');
    expect(changed.every((path) => path.startsWith('dist/dev/'))).toBe(true);
    // The author email is the one renovate.json tells Renovate to ignore, so Renovate keeps the branch.
    const config = JSON.parse(await readFile(join(REPO_ROOT, 'renovate.json'), 'utf8')) as { gitIgnoredAuthors: string[] };
    expect(config.gitIgnoredAuthors).toContain(log[0]?.split('|')[1]);
    const fresh = await clone('check');
    git(fresh, 'checkout', '--quiet', 'renovate/dev-web-web-1799999999.x');
    expect((await runManifold(fresh, ['synth', '--check'])).code).toBe(0);
    expect(git(fresh, 'show', 'HEAD:dist/dev/web/deployment-web.yaml')).toContain(moved);
  });

  it('refuses, before anything of it is installed, a Renovate branch that changes more than pins', async () => {
    const { clone } = await bareRemoteOf(await committedCopy());
    const branch = await clone('renovate');
    git(branch, 'checkout', '--quiet', '-b', 'renovate/some-dependency-2.x');
    const code = join(branch, 'apps/web/src/index.ts');
    await writeFile(code, `${await readFile(code, 'utf8')}// changed\n`);
    git(branch, 'commit', '--quiet', '-am', 'Update some-dependency to v2');
    const guard = await run(join(REPO_ROOT, '.github/scripts/only-pin-changes.sh'), ['origin/main'], { cwd: branch }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(guard.code).toBe(1);
    expect(guard.stderr.trim()).toBe(
      'only-pin-changes.sh: this branch changes more than pins, so it is not re-synthesized with write access: apps/web/src/index.ts',
    );
  });
});
