import { execFileSync, spawnSync } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareRemoteOf, committedCopy, git, scriptEnvironment } from './git-repository.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { REPO_ROOT, runManifold } from './temp-repo.ts';

const scripts = join(REPO_ROOT, '.github/scripts');

function script(cwd: string, name: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('bash', [join(scripts, name), ...args], {
    cwd,
    encoding: 'utf8',
    env: scriptEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('the build-and-pin workflow steps', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry('open');
  });
  afterAll(() => registry.stop());

  it('tags sortably, pins the pushed image into dev by digest, commits and pushes; a fresh clone is current', async () => {
    const { clone } = await bareRemoteOf(await committedCopy());
    const ci = await clone('ci');
    const tag = script(ci, 'sortable-tag.sh', []).trim();
    expect(tag).toMatch(new RegExp(`^main-${git(ci, 'rev-parse', '--short=7', 'HEAD').trim()}-[0-9]{10}$`));
    const digest = await pushImage(registry, 'acme/web', tag, 'oci-index');
    const ref = `${registry.host}/acme/web:${tag}`;
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host, CI: 'true', GITHUB_SHA: git(ci, 'rev-parse', 'HEAD').trim(), GITHUB_RUN_ID: '42' };
    script(ci, 'pin-built-image.sh', ['dev', 'web/web', ref], env);

    const fresh = await clone('fresh');
    expect(git(fresh, 'log', '-1', '--format=%an %s').trim()).toBe(`manifold-bot deploy(dev): web/web ${ref}`);
    expect(await readFile(join(fresh, 'overlays/dev/images.yaml'), 'utf8')).toContain(`ref: ${ref}@${digest} # {"$imagepolicy": "flux-system:dev-web-web"}`);
    expect(await readFile(join(fresh, 'dist/dev/web/deployment-web.yaml'), 'utf8')).toContain(`image: ${ref}@${digest}`);
    expect((await runManifold(fresh, ['synth', '--check'])).code).toBe(0);

    // Running it again for the same image changes nothing and pushes nothing.
    const again = script(ci, 'pin-built-image.sh', ['dev', 'web/web', ref], env);
    expect(again).toContain('nothing to change: the pins are already as asked');
  });

  it('starts again from the remote when another pin landed first, keeping both', async () => {
    const { remote, clone } = await bareRemoteOf(await committedCopy());
    const ci = await clone('ci');
    const other = await clone('other');
    const webDigest = await pushImage(registry, 'acme/web', 'main-1111111-1733100000', 'manifest');
    const apiDigest = await pushImage(registry, 'acme/ml-api', 'main-2222222-1733100000', 'manifest');
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    script(other, 'pin-built-image.sh', ['dev', 'ml-api/api', `${registry.host}/acme/ml-api:main-2222222-1733100000`], env);
    // Reject the first push from the ci clone, as a race with a third builder would.
    const hook = join(remote, 'hooks', 'pre-receive');
    await writeFile(hook, `#!/bin/sh\nif [ ! -e "${remote}/rejected-once" ]; then touch "${remote}/rejected-once"; echo "simulated race" >&2; exit 1; fi\n`, {
      mode: 0o755,
    });
    const run = spawnSync('bash', [join(scripts, 'pin-built-image.sh'), 'dev', 'web/web', `${registry.host}/acme/web:main-1111111-1733100000`], {
      cwd: ci,
      encoding: 'utf8',
      env: scriptEnvironment(env),
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('push to main was rejected (attempt 1); starting again from origin/main');
    expect(run.stdout).toContain('pushed main');
    const fresh = await clone('fresh');
    const images = await readFile(join(fresh, 'overlays/dev/images.yaml'), 'utf8');
    expect(images).toContain(`acme/web:main-1111111-1733100000@${webDigest}`);
    expect(images).toContain(`acme/ml-api:main-2222222-1733100000@${apiDigest}`);
    expect((await runManifold(fresh, ['synth', '--check'])).code).toBe(0);
  });
});

describe('the build context a dispatch names (build-context.sh)', () => {
  it.each([
    ['https://github.com/mallory/evil.git', 'is not a plain relative path (URLs and git remotes are refused)'],
    ['git@github.com:mallory/evil', 'is not a plain relative path (URLs and git remotes are refused)'],
    ['/etc', 'is not a relative path'],
    [['apps', '..', '..'].join('/'), 'climbs out of the repository'],
    ['apps/nowhere', 'is not a folder of this repository'],
    ['escape', 'leads out of the repository through a link'],
    ['apps\n::set-output name=x::y', 'is not a plain relative path (URLs and git remotes are refused)'],
  ])('refuses %j in one line', async (context, reason) => {
    const root = await committedCopy();
    await symlink(tmpdir(), join(root, 'escape'));
    const result = spawnSync('bash', [join(scripts, 'build-context.sh'), context], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^build-context\\.sh: ".*" ${reason.replace(/[()]/g, '\\$&')}; name a folder of this repository`));
  });

  it('passes a folder of the checkout on as it is', async () => {
    const root = await committedCopy();
    expect(script(root, 'build-context.sh', ['apps/web'])).toBe('apps/web\n');
    expect(script(root, 'build-context.sh', [])).toBe('.\n');
  });
});
