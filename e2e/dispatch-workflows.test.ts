/**
 * The scripts of the deploy, promote and rollback workflows against a bare git remote and a real
 * registry on loopback, in both deliveries (pull-request branch, commit), and the pull-request step.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bareRemoteOf, committedCopy, git, scriptEnvironment } from './git-repository.ts';
import { startRegistry, type TestRegistry } from './registry/docker-registry.ts';
import { pushImage } from './registry/push-image.ts';
import { REPO_ROOT, runManifold } from './temp-repo.ts';

const run = promisify(execFile);
const scripts = join(REPO_ROOT, '.github/scripts');

type Pins = Record<string, Record<string, { ref: string; hold?: boolean; source?: { by: string } }>>;

describe('the deploy, promote and rollback workflow scripts', () => {
  let registry: TestRegistry;
  let remote: string;
  let clone: (name: string) => Promise<string>;
  const digests = new Map<string, string>();
  const web = (tag: string) => `${registry.host}/acme/web:${tag}`;

  beforeAll(async () => {
    registry = await startRegistry('open');
    for (const tag of ['main-1000000-1733000000', 'main-2000000-1733000100', 'main-3000000-1733000200', 'main-4000000-1733000300'])
      digests.set(tag, await pushImage(registry, 'acme/web', tag, 'manifest'));
    // dev and staging pin web/web from the loopback registry.
    const source = await committedCopy();
    for (const env of ['dev', 'staging']) {
      const file = join(source, 'overlays', env, 'images.yaml');
      const tag = env === 'dev' ? 'main-1000000-1733000000' : 'main-2000000-1733000100';
      await writeFile(
        file,
        (await readFile(file, 'utf8')).replace(/ref: ghcr\.io\/acme\/web:[^@\s]+@sha256:[a-f0-9]{64}/, `ref: ${web(tag)}@${digests.get(tag)}`),
      );
    }
    expect((await runManifold(source, ['synth'])).code).toBe(0);
    git(source, 'add', '-A');
    git(source, 'commit', '--quiet', '-m', 'web from the test registry');
    ({ remote, clone } = await bareRemoteOf(source));
  });
  afterAll(() => registry.stop());

  const script = async (cwd: string, name: string, args: string[]) =>
    (await run('bash', [join(scripts, name), ...args], { cwd, encoding: 'utf8', env: scriptEnvironment({ MANIFOLD_INSECURE_REGISTRIES: registry.host }) }))
      .stdout;
  const pinsAt = (revision: string, env: string) => parse(git(remote, 'show', `${revision}:overlays/${env}/images.yaml`)) as Pins;
  const bodyFile = async () => join(await mkdtemp(join(tmpdir(), 'body-')), 'body.md');

  it('deploy: a bare tag keeps the pinned repository; a pull-request branch made afresh on each dispatch, main untouched', async () => {
    const main = git(remote, 'rev-parse', 'main').trim();
    const ci = await clone('deploy-pr');
    const body = await bodyFile();
    expect(await script(ci, 'deploy.sh', ['dev', 'web/web', 'main-3000000-1733000200', 'pr', 'main', body])).toContain('pushed deploy/dev/web-web');
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(main);
    expect(git(remote, 'log', '--format=%s', 'main..deploy/dev/web-web').trim()).toBe(`deploy(dev): web/web ${web('main-3000000-1733000200')}`);
    expect(pinsAt('deploy/dev/web-web', 'dev').web?.web?.ref).toBe(`${web('main-3000000-1733000200')}@${digests.get('main-3000000-1733000200')}`);
    const text = await readFile(body, 'utf8');
    expect(text.split('\n')[0]).toBe(`deploy(dev): web/web ${web('main-3000000-1733000200')}`);
    expect(text).toMatch(/\| dev \| web\/web \| .* \| `main-1000000-1733000000` → `main-3000000-1733000200` \|/);
    // A second dispatch replaces the proposal instead of stacking on it.
    const again = await clone('deploy-pr-again');
    await script(again, 'deploy.sh', ['dev', 'web/web', 'main-4000000-1733000300', 'pr', 'main', body]);
    expect(git(remote, 'rev-list', '--count', 'main..deploy/dev/web-web').trim()).toBe('1');
    expect(pinsAt('deploy/dev/web-web', 'dev').web?.web?.ref).toContain('main-4000000-1733000300');
    const review = await clone('deploy-review');
    git(review, 'checkout', '--quiet', 'deploy/dev/web-web');
    const check = await runManifold(review, ['synth', '--check']);
    expect(check.code, check.stdout).toBe(0);
  });

  it('deploy: commits to main with a full reference, and does nothing when the pin is already there', async () => {
    const ci = await clone('deploy-commit');
    const body = await bodyFile();
    expect(await script(ci, 'deploy.sh', ['dev', 'web/web', web('main-2000000-1733000100'), 'commit', 'main', body])).toContain('pushed main');
    expect(pinsAt('main', 'dev').web?.web?.ref).toBe(`${web('main-2000000-1733000100')}@${digests.get('main-2000000-1733000100')}`);
    const again = await clone('deploy-commit-again');
    expect(await script(again, 'deploy.sh', ['dev', 'web/web', 'main-2000000-1733000100', 'commit', 'main', body])).toContain('nothing to change');
    expect(await readFile(body, 'utf8')).toBe('');
  });

  it('rollback: goes one pin back in the history of images.yaml and holds it, on a pull-request branch', async () => {
    const ci = await clone('rollback');
    const body = await bodyFile();
    expect(await script(ci, 'rollback-pins.sh', ['dev', 'web/web', '1', 'pr', 'main', body])).toContain('pushed rollback/dev/web-web');
    const pin = pinsAt('rollback/dev/web-web', 'dev').web?.web;
    expect(pin?.ref).toBe(`${web('main-1000000-1733000000')}@${digests.get('main-1000000-1733000000')}`);
    expect(pin?.hold).toBe(true);
    expect(await readFile(body, 'utf8')).toContain('`main-2000000-1733000100` → `main-1000000-1733000000`');
    const review = await clone('rollback-review');
    git(review, 'checkout', '--quiet', 'rollback/dev/web-web');
    expect((await runManifold(review, ['synth', '--check'])).code).toBe(0);
  });

  it('promote: copies the chosen pins to the next environment on a branch whose body is the promote table', async () => {
    const ci = await clone('promote');
    const body = await bodyFile();
    expect(await script(ci, 'promote-pins.sh', ['staging', 'prod', 'pr', 'main', body, 'web/web'])).toContain('pushed promote/staging-to-prod');
    const staging = pinsAt('main', 'staging').web?.web?.ref;
    expect(pinsAt('promote/staging-to-prod', 'prod').web?.web?.ref).toBe(staging);
    const text = await readFile(body, 'utf8');
    expect(text.split('\n')[0]).toBe('promote: staging → prod');
    const rows = text.split('\n').filter((line) => line.startsWith('| prod |'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('| prod | web/web |');
    expect(rows[0]).toContain('`main-2000000-1733000100`');
  });
});

describe('the pull-request step (open-pr.sh)', () => {
  /**
   * A stand-in `gh` on PATH that records its arguments and lists `open` as the open pull requests
   * from the branch (number and head repository owner), applying --jq with the real jq as gh does.
   */
  async function withGh(open: readonly { number: number; owner: string }[]) {
    const dir = await mkdtemp(join(tmpdir(), 'gh-'));
    const log = join(dir, 'calls');
    const list = JSON.stringify(open.map(({ number, owner }) => ({ number, headRepositoryOwner: { id: `id-${owner}`, login: owner } })));
    await writeFile(join(dir, 'list.json'), list);
    await writeFile(
      join(dir, 'gh'),
      `#!/bin/bash\necho "$*" >>"${log}"\nif [ "$1 $2" = "pr list" ]; then jq -r "\${@: -1}" "${join(dir, 'list.json')}"; fi\nexit 0\n`,
    );
    await chmod(join(dir, 'gh'), 0o755);
    const body = join(dir, 'body.md');
    const calls = async (text: string) => {
      await writeFile(body, text);
      await run('bash', [join(scripts, 'open-pr.sh'), 'deploy/dev/web-web', 'main', 'deploy(dev): web/web x', body], {
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GITHUB_REPOSITORY: 'acme/platform' },
      });
      return (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
    };
    return { calls, body };
  }

  it('opens a pull request when none is open, edits the open one otherwise, and does nothing for an empty body', async () => {
    const none = await withGh([]);
    const created = await none.calls('table\n');
    expect(created[0]).toMatch(/^pr list --head deploy\/dev\/web-web --base main --state open --json number,headRepositoryOwner --jq /);
    expect(created[1]).toBe(`pr create --head deploy/dev/web-web --base main --title deploy(dev): web/web x --body-file ${none.body}`);
    const open = await withGh([{ number: 17, owner: 'acme' }]);
    expect((await open.calls('table\n'))[1]).toBe(`pr edit 17 --body-file ${open.body}`);
    const empty = await withGh([]);
    expect(await empty.calls('')).toEqual([]);
  });

  it("never takes a fork's pull request from a branch of the same name for its own", async () => {
    const forked = await withGh([
      { number: 9, owner: 'mallory' },
      { number: 17, owner: 'acme' },
    ]);
    expect((await forked.calls('table\n'))[1]).toBe(`pr edit 17 --body-file ${forked.body}`);
    const onlyFork = await withGh([{ number: 9, owner: 'mallory' }]);
    expect((await onlyFork.calls('table\n'))[1]).toMatch(/^pr create --head deploy\/dev\/web-web /);
  });
});
