/** The ESC workflow steps against a bare git remote, a local ESC service and a local registry. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeEsc, startFakeEsc } from './esc/fake-esc-server.ts';
import { bareRemoteOf, committedCopy, git, scriptEnvironment } from './git-repository.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { REPO_ROOT, runManifold } from './temp-repo.ts';

const scripts = join(REPO_ROOT, '.github/scripts');
const run = promisify(execFile);

describe('the ESC workflows', () => {
  let esc: FakeEsc;
  let registry: TestRegistry;
  let escEnv: NodeJS.ProcessEnv;
  beforeAll(async () => {
    esc = await startFakeEsc();
    registry = await startRegistry('open');
    escEnv = {
      PULUMI_ACCESS_TOKEN: esc.token,
      PULUMI_HOME: await mkdtemp(join(tmpdir(), 'pulumi-home-')),
      NO_PROXY: '127.0.0.1',
      MANIFOLD_INSECURE_REGISTRIES: registry.host,
    };
  });
  afterAll(async () => {
    await esc.stop();
    await registry.stop();
  });

  /** A bare remote whose dev environment talks to the local ESC service's `acme/platform/<name>`. */
  async function remoteFor(name: string) {
    const source = await committedCopy();
    const file = join(source, 'overlays/dev/environment.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('  environment: dev\n', `  environment: ${name}\n  url: ${esc.url}\n`));
    git(source, 'commit', '--quiet', '-am', 'dev talks to ESC');
    return bareRemoteOf(source);
  }

  // Asynchronous: the ESC service answers from this very process.
  const script = async (cwd: string, name: string, args: string[]) =>
    (await run('bash', [join(scripts, name), ...args], { cwd, encoding: 'utf8', env: scriptEnvironment(escEnv) })).stdout;

  it('ESC first: pulls a new reference onto esc/pull/<env>, pushes it with a PR body, and does nothing when ESC agrees', async () => {
    const digest = await pushImage(registry, 'acme/web', 'main-7777777-1733300000', 'manifest');
    const ref = `${registry.host}/acme/web:main-7777777-1733300000`;
    esc.define('acme/platform/wf-pull', `values:\n  manifold:\n    images:\n      web:\n        web: ${ref}\n`);
    const { clone } = await remoteFor('wf-pull');
    const ci = await clone('ci');
    const body = join(ci, '..', 'body.md');
    expect(await script(ci, 'esc-pull-pr.sh', ['dev', 'main', body])).toContain('pushed esc/pull/dev');
    const review = await clone('review');
    git(review, 'checkout', '--quiet', 'esc/pull/dev');
    expect(git(review, 'log', '-1', '--format=%s').trim()).toBe('deploy(dev): pins from Pulumi ESC');
    expect(await readFile(join(review, 'overlays/dev/images.yaml'), 'utf8')).toContain(`ref: ${ref}@${digest}`);
    expect((await runManifold(review, ['synth', '--check'])).code).toBe(0);
    expect(await readFile(body, 'utf8')).toMatch(/\| dev \| web\/web \| .* \| `main-3f2c1e9-1732150000` → `main-7777777-1733300000` \|/);
    // Merged: the next scheduled run finds nothing to do.
    const merged = await clone('merge');
    git(merged, 'merge', '--quiet', '--ff-only', 'origin/esc/pull/dev');
    git(merged, 'push', '--quiet', 'origin', 'main');
    const next = await clone('next');
    expect(await script(next, 'esc-pull-pr.sh', ['dev', 'main', join(next, '..', 'body.md')])).toContain('nothing to change');
  });

  it('build → pin dev → esc push dev: the ESC environment then holds the digest GitOps deploys', async () => {
    esc.define('acme/platform/wf-push', '# written by the build\nvalues:\n  team: web\n');
    const { clone } = await remoteFor('wf-push');
    const ci = await clone('ci');
    const tag = (await script(ci, 'sortable-tag.sh', [])).trim();
    const digest = await pushImage(registry, 'acme/web', tag, 'oci-index');
    const ref = `${registry.host}/acme/web:${tag}`;
    await script(ci, 'pin-built-image.sh', ['dev', 'web/web', ref]);
    const pushed = await runManifold(ci, ['esc', 'push', 'dev'], { env: escEnv });
    expect(pushed.code).toBe(0);
    const definition = esc.definition('acme/platform/wf-push') ?? '';
    expect(definition.startsWith('# written by the build\nvalues:\n  team: web\n')).toBe(true);
    expect(definition).toContain(`        web: ${ref}@${digest}\n`);
  });
});
