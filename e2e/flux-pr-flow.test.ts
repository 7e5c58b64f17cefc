import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bareRemoteOf, committedCopy, git, scriptEnvironment } from './git-repository.ts';
import { REPO_ROOT, runManifold } from './temp-repo.ts';

const SCRIPT = join(REPO_ROOT, '.github/scripts/flux-update-pr.sh');
const BRANCH = 'flux/image-updates/dev';

/** A bare remote holding this repository's example on main. */
async function remoteWithExample() {
  return bareRemoteOf(await committedCopy());
}

function newerImage(policy: string): string {
  const digest = createHash('sha256').update(policy).digest('hex');
  return `${policy}=main-${digest.slice(0, 7)}-1733000000@sha256:${digest}`;
}

/** Flux, standing in: applies its setters in a clone of the remote and pushes the update branch. */
async function fluxPushes(clone: (name: string) => Promise<string>, policies: string[]): Promise<void> {
  const flux = await clone('flux');
  git(flux, 'checkout', '--quiet', '-b', BRANCH);
  const run = await runManifold(flux, ['flux', 'simulate', 'dev', '--write', ...policies.flatMap((policy) => ['--set', newerImage(policy)])]);
  expect(run.code).toBe(0);
  git(flux, 'commit', '--quiet', '--author=fluxcdbot <fluxcdbot@example.com>', '-am', 'Update images in manifold-dev');
  git(flux, 'push', '--quiet', 'origin', BRANCH);
}

function runScript(cwd: string, body: string): void {
  execFileSync('bash', [SCRIPT, 'main', body], {
    cwd,
    env: scriptEnvironment(),
    stdio: 'pipe',
  });
}

describe('the Flux pull-request flow', () => {
  it('needs no re-synthesis commit when Flux moved pins and dist/ together, and describes the PR', async () => {
    const { clone } = await remoteWithExample();
    await fluxPushes(clone, ['dev-web-web', 'dev-ml-api-api']);
    const ci = await clone('ci');
    git(ci, 'checkout', '--quiet', BRANCH);
    const head = git(ci, 'rev-parse', 'HEAD');
    runScript(ci, join(ci, '..', 'body.md'));
    expect(git(ci, 'rev-parse', 'HEAD')).toBe(head);
    const body = await readFile(join(ci, '..', 'body.md'), 'utf8');
    expect(body).toContain('| environment | image | repository | tag | digest |');
    expect(body).toMatch(
      /\| dev \| web\/web \| ghcr\.io\/acme\/web \| `main-3f2c1e9-1732150000` → `main-[a-f0-9]{7}-1733000000` \| `4a916b87690f` → `[a-f0-9]{12}` \|/,
    );
    expect(body).toMatch(/\| dev \| ml-api\/api \|/);
    expect(body.match(/^\| dev /gm)).toHaveLength(2);
  });

  it('commits the adopted pins on top of a Flux commit that moved only dist/, and main is green after the merge', async () => {
    const { clone } = await remoteWithExample();
    // The automation's update.path covers only dist/: set up on main first.
    const admin = await clone('admin');
    const environment = join(admin, 'overlays/dev/environment.yaml');
    await writeFile(environment, `${await readFile(environment, 'utf8')}flux:\n  updatePath: ./dist/\n`);
    expect((await runManifold(admin, ['synth'])).code).toBe(0);
    git(admin, 'commit', '--quiet', '-am', 'Flux updates dist/ only');
    git(admin, 'push', '--quiet', 'origin', 'main');

    await fluxPushes(clone, ['dev-jobs-manager-ingestor']);
    const ci = await clone('ci');
    git(ci, 'checkout', '--quiet', BRANCH);
    runScript(ci, join(ci, '..', 'body.md'));

    const log = git(ci, 'log', '--format=%an %s', `origin/main..origin/${BRANCH}`).trim().split('\n');
    expect(log).toEqual(['manifold-bot chore(dist): re-synthesize after Flux image update', 'fluxcdbot Update images in manifold-dev']);
    expect(git(ci, 'show', '--stat', '--format=', `origin/${BRANCH}`)).toContain('overlays/dev/images.yaml');
    const body = await readFile(join(ci, '..', 'body.md'), 'utf8');
    expect(body).toMatch(/\| dev \| jobs-manager\/ingestor \| ghcr\.io\/acme\/csv-ingestor \| `main-c0ffee1-1732155000` → `main-[a-f0-9]{7}-1733000000` \|/);

    const main = await clone('main');
    git(main, 'merge', '--quiet', '--no-ff', '-m', 'Merge image updates', `origin/${BRANCH}`);
    const check = await runManifold(main, ['synth', '--check']);
    expect(check.stdout).not.toContain('stale');
    expect(check.code).toBe(0);
  });
});
