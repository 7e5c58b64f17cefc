/**
 * Distribution: the two packages packed as a release is, a repository made by `manifold init` that
 * depends on the tarballs, the whole loop in it (new app, synth, check, pin, diff, a workflow script
 * against a bare remote), and an upgrade to a next packed version that renders differently.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from './git-repository.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { REPO_ROOT, runManifoldIn } from './temp-repo.ts';

const run = promisify(execFile);
const DIGEST = `sha256:${'a'.repeat(64)}`;

/** Runs a command in `cwd` as a team would (their installed manifold, never this repository's), returning its output. */
async function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  const { MANIFOLD: _ours, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: {
        ...inherited,
        GIT_AUTHOR_NAME: 'ci',
        GIT_AUTHOR_EMAIL: 'ci@example.com',
        GIT_COMMITTER_NAME: 'ci',
        GIT_COMMITTER_EMAIL: 'ci@example.com',
        NO_COLOR: '1',
        ...env,
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, out: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** `sh`, failing the test with the command's output when it does not succeed. */
async function ok(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await sh(cwd, command, args, env);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.out}`);
  return result.out;
}

/**
 * A next release made from `release`'s tarballs as the release process would make it: both packages at
 * `version`, a changelog entry, and the WebService's Service port changed (a change in rendered output).
 */
async function nextRelease(release: string, version: string): Promise<string> {
  const next = await mkdtemp(join(tmpdir(), 'manifold-release-'));
  for (const name of ['cli', 'constructs']) {
    const unpacked = join(next, name);
    await mkdir(unpacked);
    await ok(release, 'tar', ['-xzf', join(release, `manifold-${name}-0.1.0.tgz`), '-C', unpacked]);
    const manifest = join(unpacked, 'package', 'package.json');
    const pkg = JSON.parse(await readFile(manifest, 'utf8')) as { version: string; dependencies?: Record<string, string> };
    pkg.version = version;
    if (pkg.dependencies?.['@manifold/constructs']) pkg.dependencies['@manifold/constructs'] = version;
    await writeFile(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
    const changelog = join(unpacked, 'package', 'CHANGELOG.md');
    const text = await readFile(changelog, 'utf8');
    await writeFile(changelog, text.replace(/\n## /, `\n## ${version}\n\n- **Output:** a WebService's Service listens on port 8080 (was 80).\n\n## `));
    if (name === 'constructs') {
      const source = join(unpacked, 'package', 'src', 'workloads', 'web-service.ts');
      const code = await readFile(source, 'utf8');
      expect(code).toContain("const SERVICE_PORT = { name: 'http', port: 80 }");
      await writeFile(source, code.replace("const SERVICE_PORT = { name: 'http', port: 80 }", "const SERVICE_PORT = { name: 'http', port: 8080 }"));
    }
    await ok(unpacked, 'tar', ['-czf', join(next, `manifold-${name}-${version}.tgz`), 'package']);
    await rm(unpacked, { recursive: true });
  }
  return next;
}

describe('a repository made by manifold init from the packed packages', () => {
  let registry: TestRegistry;
  let work: string;
  beforeAll(async () => {
    registry = await startRegistry('open');
    work = await mkdtemp(join(tmpdir(), 'manifold-distribution-'));
  });
  afterAll(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('packs, inits, installs from the tarballs, runs the loop, and upgrades to the next packed version', { timeout: 600_000 }, async () => {
    const release = join(work, 'release');
    for (const name of ['cli', 'constructs']) await ok(join(REPO_ROOT, name), 'pnpm', ['pack', '--pack-destination', release]);
    const listing = await ok(release, 'tar', ['-tzf', join(release, 'manifold-cli-0.1.0.tgz')]);
    // What a package needs travels in it (schemas, the workflows and their scripts), and no test does.
    for (const path of ['package/schema/images.schema.json', 'package/templates/github/scripts/pin-built-image.sh', 'package/CHANGELOG.md']) {
      expect(listing).toContain(path);
    }
    expect(listing).not.toMatch(/\.test\.ts\n/);

    // init: through the CLI as a user runs it; a non-empty folder is refused, and nothing is written then.
    const team = join(work, 'platform');
    await mkdir(team);
    await writeFile(join(team, 'notes.txt'), 'mine\n');
    const refused = await runManifoldIn(work, ['init', 'platform', '--packages', release]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^argument 1: platform is not empty\n/);
    await rm(team, { recursive: true });
    const init = await runManifoldIn(work, ['init', 'platform', '--packages', release, '--delivery', 'flux']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);

    // Installed from the tarballs; third-party packages from the pnpm store (their metadata from the registry when not cached).
    // The lockfile is new (and, below, changes): pnpm in CI would otherwise insist on a frozen one.
    await ok(team, 'pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile']);
    expect(await readFile(join(team, 'node_modules/@manifold/cli/package.json'), 'utf8')).toContain('"version": "0.1.0"');
    await ok(team, 'pnpm', ['-s', 'synth']);
    expect(await ok(team, 'pnpm', ['-s', 'check'])).toContain('renovate.json is current');
    await ok(team, 'pnpm', ['-s', 'typecheck']);
    await ok(team, 'git', ['init', '--quiet', '--initial-branch=main']);
    await ok(team, 'git', ['add', '-A']);
    await ok(team, 'git', ['commit', '--quiet', '-m', 'manifold init']);

    // A new app, synthesized and current.
    await ok(team, 'pnpm', ['-s', 'manifold', 'new', 'app', 'api', '--kind', 'worker', '--image', `ghcr.io/acme/api:1.0.0@${DIGEST}`]);
    await ok(team, 'pnpm', ['install', '--offline', '--no-frozen-lockfile']);
    await ok(team, 'pnpm', ['-s', 'synth']);
    expect(await readFile(join(team, 'dist/prod/api/deployment-api.yaml'), 'utf8')).toContain(`image: ghcr.io/acme/api:1.0.0@${DIGEST}`);
    await ok(team, 'pnpm', ['-s', 'check']);

    // A pin resolved from the loopback registry, and the diff that names it.
    const pushed = await pushImage(registry, 'acme/web', '1.1.0', 'oci-index');
    const insecure = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    await ok(team, 'pnpm', ['-s', 'pin', 'dev', `web=${registry.host}/acme/web:1.1.0`], insecure);
    expect(await readFile(join(team, 'dist/dev/web/deployment-web.yaml'), 'utf8')).toContain(`image: ${registry.host}/acme/web:1.1.0@${pushed}`);
    const diff = await ok(team, 'pnpm', ['-s', 'manifold', 'diff', '--base', 'main']);
    expect(diff).toContain('web/web');
    await ok(team, 'git', ['add', '-A']);
    await ok(team, 'git', ['commit', '--quiet', '-m', 'api, and web 1.1.0 in dev']);

    // The workflow script init wrote, run as build-and-pin runs it, against a bare remote.
    const remote = join(work, 'remote.git');
    await ok(work, 'git', ['clone', '--quiet', '--bare', team, remote]);
    const ci = join(work, 'ci');
    await ok(work, 'git', ['clone', '--quiet', remote, ci]);
    await ok(ci, 'pnpm', ['install', '--offline', '--frozen-lockfile']);
    const built = await pushImage(registry, 'acme/web', '1.2.0', 'manifest');
    await ok(ci, 'bash', ['.github/scripts/pin-built-image.sh', 'dev', 'web/web', `${registry.host}/acme/web:1.2.0`], insecure);
    const landed = join(work, 'landed');
    await ok(work, 'git', ['clone', '--quiet', remote, landed]);
    expect(git(landed, 'log', '-1', '--format=%s').trim()).toBe(`deploy(dev): web/web ${registry.host}/acme/web:1.2.0`);
    expect(await readFile(join(landed, 'dist/dev/web/deployment-web.yaml'), 'utf8')).toContain(`@${built}`);

    // Upgrade to the next packed version: bump, install, synth --check names the change, synth applies it.
    const next = await nextRelease(release, '0.2.0');
    for (const file of ['package.json', 'constructs/package.json', 'apps/web/package.json', 'apps/api/package.json']) {
      const text = await readFile(join(team, file), 'utf8');
      await writeFile(
        join(team, file),
        text
          .replaceAll(join(release, 'manifold-cli-0.1.0.tgz'), join(next, 'manifold-cli-0.2.0.tgz'))
          .replaceAll(join(release, 'manifold-constructs-0.1.0.tgz'), join(next, 'manifold-constructs-0.2.0.tgz')),
      );
    }
    await ok(team, 'pnpm', ['install', '--offline', '--no-frozen-lockfile']);
    expect(await ok(team, 'pnpm', ['-s', 'manifold', '--version'])).toBe('0.2.0\n');
    expect(await readFile(join(team, 'node_modules/@manifold/cli/CHANGELOG.md'), 'utf8')).toMatch(/## 0\.2\.0\n\n- \*\*Output:\*\* /);
    const stale = await sh(team, 'pnpm', ['-s', 'manifold', 'synth', '--check']);
    expect(stale.code).toBe(1);
    // web runs in dev and staging (prod takes it once pinned by digest, as init's comment there says).
    for (const env of ['dev', 'staging']) expect(stale.out).toContain(`dist/${env}/web/service-web.yaml`);
    expect(stale.out).not.toContain('deployment-api.yaml');
    await ok(team, 'pnpm', ['-s', 'synth']);
    expect(await readFile(join(team, 'dist/dev/web/service-web.yaml'), 'utf8')).toMatch(/\n {4}- name: http\n {6}port: 8080\n/);
    await ok(team, 'pnpm', ['-s', 'check']);
  });
});
