/**
 * `manifold diff` on real git history (a two-commit branch pushed to a bare remote, compared in a
 * fresh clone as CI does), and the workflow step that keeps one pull-request comment current.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareRemoteOf, committedCopy, git } from './git-repository.ts';
import { type FakeGitHub, startFakeGitHub } from './github/fake-github-api.ts';
import { addRawObjectsApp, editFile, REPO_ROOT, runManifold } from './temp-repo.ts';

const run = promisify(execFile);

const OLD_WEB = 'main-3f2c1e9-1732150000@sha256:4a916b87690f6245d07a056cfbe9ed91056c361bcbb48d8520d5f498abf9c481';
const NEW_WEB = `main-9e8d7c6-1732170000@sha256:${'5'.repeat(64)}`;

interface Review {
  base: { revision: string; commit: string };
  images: { env: string; image: string; before?: { tag: string }; after?: { tag: string } }[];
  environments: {
    env: string;
    added: { object: string }[];
    removed: { object: string; file: string }[];
    changed: { object: string; fields: string[] }[];
    raw: { files: number; added: number; removed: number };
  }[];
}

describe('manifold diff', () => {
  let ci: string;
  let review: Review;
  beforeAll(async () => {
    const { clone } = await bareRemoteOf(await committedCopy());
    // A developer's two commits: the pins and settings, then the re-synthesized dist/.
    const author = await clone('author');
    git(author, 'checkout', '--quiet', '-b', 'change');
    await editFile(join(author, 'overlays/dev/images.yaml'), (text) => text.replace(OLD_WEB, NEW_WEB));
    await editFile(join(author, 'overlays/prod/environment.yaml'), (text) => text.replace('  medium:\n    replicas: 3', '  medium:\n    replicas: 5'));
    await editFile(join(author, 'overlays/staging/environment.yaml'), (text) => `${text}apps: [web, ml-api, postgres, jobs-manager]\n`);
    await editFile(join(author, 'overlays/staging/images.yaml'), (text) => text.replace(/^csv-ingestor:\n(?: .*\n)*/m, ''));
    await cp(join(author, 'overlays/dev'), join(author, 'overlays/qa'), { recursive: true });
    await editFile(join(author, 'overlays/qa/environment.yaml'), (text) => text.replace('namespace: acme-dev', 'namespace: acme-qa'));
    git(author, 'add', '-A');
    git(author, 'commit', '--quiet', '-m', 'dev: web to main-9e8d7c6; prod: medium runs 5; staging without csv-ingestor; a qa environment');
    const synth = await runManifold(author, ['synth']);
    expect(synth.code, synth.stderr).toBe(0);
    git(author, 'add', '-A');
    git(author, 'commit', '--quiet', '-m', 'chore(dist): synth');
    git(author, 'push', '--quiet', 'origin', 'change');
    // CI: a fresh clone of the pushed branch, compared with the remote's main.
    ci = await clone('ci');
    git(ci, 'checkout', '--quiet', 'change');
    // CI checks first: dist/ is current, so every environment is stamped; diff must still render them all.
    expect((await runManifold(ci, ['synth', '--check'])).code).toBe(0);
    const result = await runManifold(ci, ['diff', '--base', 'origin/main', '--json']);
    expect(result.code, result.stderr).toBe(0);
    review = JSON.parse(result.stdout) as Review;
  });

  const env = (name: string) => {
    const found = review.environments.find((candidate) => candidate.env === name);
    if (!found) throw new Error(`no ${name} in the review`);
    return found;
  };

  it('names the base commit and the image pins that move, from → to', () => {
    expect(review.base).toEqual({ revision: 'origin/main', commit: git(ci, 'rev-parse', 'origin/main').trim() });
    expect(review.images).toContainEqual(
      expect.objectContaining({
        env: 'dev',
        image: 'web/web',
        before: expect.objectContaining({ tag: 'main-3f2c1e9-1732150000' }),
        after: expect.objectContaining({ tag: 'main-9e8d7c6-1732170000' }),
      }),
    );
    // qa is new: all its pins appear, with nothing before.
    const qa = review.images.filter((change) => change.env === 'qa');
    expect(qa.length).toBeGreaterThan(3);
    expect(qa.every((change) => change.before === undefined)).toBe(true);
    // staging no longer deploys csv-ingestor, so its pin went too.
    expect(review.images.filter((change) => change.env !== 'qa').map((change) => `${change.env} ${change.image}`)).toEqual([
      'dev web/web',
      'staging csv-ingestor/ingestor',
    ]);
  });

  it('lists objects changed with their field paths, added and removed per environment', async () => {
    expect(env('dev')).toMatchObject({ added: [], removed: [] });
    expect(env('dev').changed).toEqual([
      expect.objectContaining({ object: 'apps/v1 Deployment acme-dev/web', fields: ['spec.template.spec.containers[name=web].image'] }),
    ]);
    const prod = env('prod');
    expect(prod.changed.length).toBeGreaterThan(0);
    for (const object of prod.changed) expect(object.fields).toEqual(['spec.replicas']);
    // Every object of the new environment is added (once: the bootstrap's copy of its Namespace is the
    // same object); every csv-ingestor object of staging is removed.
    const qaFiles = git(ci, 'ls-files', 'dist/qa')
      .split('\n')
      .filter((path) => path.endsWith('.yaml') && !path.endsWith('/kustomization.yaml') && !path.includes('/_delivery/namespace-'));
    expect(env('qa').added).toHaveLength(qaFiles.length);
    const gone = git(ci, 'diff', '--name-only', '--no-renames', '--diff-filter=D', 'origin/main', 'HEAD', '--', 'dist/staging').trim().split('\n');
    expect(gone.length).toBeGreaterThan(2);
    expect(
      env('staging')
        .removed.map((entry) => entry.file)
        .sort(),
    ).toEqual(gone.map((path) => path.slice('dist/staging/'.length)).sort());
    expect(env('staging').removed.map((entry) => entry.object)).toContain('apps/v1 Deployment acme-staging/csv-ingestor');
    expect(env('staging').changed).toEqual([]);
  });

  it('counts the raw difference as git does', () => {
    const numstat = git(ci, 'diff', '--numstat', '--no-renames', 'origin/main', 'HEAD', '--', 'dist')
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
      .filter(([, , path]) => !path?.endsWith('.manifold-index'));
    const total = review.environments.reduce(
      (sum, { raw }) => ({ files: sum.files + raw.files, added: sum.added + raw.added, removed: sum.removed + raw.removed }),
      { files: 0, added: 0, removed: 0 },
    );
    expect(total).toEqual({
      files: numstat.length,
      added: numstat.reduce((sum, [added]) => sum + Number(added), 0),
      removed: numstat.reduce((sum, [, removed]) => sum + Number(removed), 0),
    });
  });

  it('prints Markdown for the comment and text for a terminal', async () => {
    const markdown = await runManifold(ci, ['diff', '--base', 'origin/main', '--markdown']);
    expect(markdown.code, markdown.stderr).toBe(0);
    const lines = markdown.stdout.split('\n');
    expect(lines[0]).toBe('<!-- manifold-diff -->');
    expect(markdown.stdout).toContain('| dev | web/web | ghcr.io/acme/web | `main-3f2c1e9-1732150000` → `main-9e8d7c6-1732170000` |');
    expect(lines).toContain(`| qa | ${env('qa').added.length} | 0 | 0 |`);
    expect(lines).toContain('- changed `apps/v1 Deployment acme-dev/web`: `spec.template.spec.containers[name=web].image`');
    // Images first, then objects, then the raw size.
    expect(markdown.stdout.indexOf('#### Images')).toBeLessThan(markdown.stdout.indexOf('#### Objects'));
    expect(markdown.stdout.indexOf('#### Objects')).toBeLessThan(markdown.stdout.indexOf('Raw diff of `dist/`'));
    const text = await runManifold(ci, ['diff', '--base', 'origin/main']);
    expect(text.stdout).toContain('  ~ apps/v1 Deployment acme-dev/web: spec.template.spec.containers[name=web].image');
    expect(text.stdout).toMatch(/^raw diff: \d+ files, \+\d+ −\d+ lines$/m);
  });

  it('renders the working tree, so a change not yet synthesized shows too', async () => {
    const local = await mkdtemp(join(tmpdir(), 'manifold-diff-'));
    await run('git', ['clone', '--quiet', '--branch', 'change', ci, join(local, 'repo')]);
    const root = join(local, 'repo');
    await run('ln', ['-s', join(REPO_ROOT, 'node_modules'), join(root, 'node_modules')]);
    await editFile(join(root, 'overlays/dev/environment.yaml'), (text) => text.replace('  medium:\n    replicas: 1', '  medium:\n    replicas: 4'));
    const result = await runManifold(root, ['diff', '--base', 'HEAD', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const dev = (JSON.parse(result.stdout) as Review).environments.find((candidate) => candidate.env === 'dev');
    expect(dev?.changed.length).toBeGreaterThan(0);
    expect(dev?.changed.every((object) => object.fields.join() === 'spec.replicas')).toBe(true);
    expect((JSON.parse(result.stdout) as Review).images).toEqual([]);
  });

  it('refuses a revision that is not a commit, or looks like an option, in one line', async () => {
    for (const base of ['origin/nope', '--output=/tmp/x']) {
      const result = await runManifold(ci, ['diff', `--base=${base}`]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')[0]).toBe(`--base: "${base}" is not a commit of this repository`);
      expect(result.stdout).toBe('');
    }
  });
});

describe('the pull-request comment step', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub();
  });
  afterAll(() => github.stop());

  const post = async (body: string, env: NodeJS.ProcessEnv = {}) => {
    const file = join(await mkdtemp(join(tmpdir(), 'comment-')), 'body.md');
    await writeFile(file, body);
    return run(process.execPath, [join(REPO_ROOT, '.github/scripts/pr-comment.mjs'), '7', file], {
      env: { ...process.env, GITHUB_TOKEN: github.token, GITHUB_REPOSITORY: 'acme/platform', GITHUB_API_URL: github.url, ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  };

  it('posts one comment and updates it on every later push, past the first page, leaving others alone', async () => {
    for (let index = 0; index < 120; index++) github.comments.push({ id: index + 1, issue: 7, user: { login: `user${index}` }, body: 'lgtm' });
    github.comments.push({ id: 500, issue: 7, user: { login: 'mallory' }, body: '<!-- manifold-diff -->\nnot from the workflow' });
    const first = await post('<!-- manifold-diff -->\nfirst push\n');
    expect(first.code, first.stderr).toBe(0);
    const second = await post('<!-- manifold-diff -->\nsecond push\n');
    expect(second.code, second.stderr).toBe(0);
    const ours = github.comments.filter((comment) => comment.user.login === 'github-actions[bot]');
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toBe('<!-- manifold-diff -->\nsecond push\n');
    expect(github.comments.find((comment) => comment.id === 500)?.body).toBe('<!-- manifold-diff -->\nnot from the workflow');
    expect(second.stdout.trim()).toBe(`updated comment ${ours[0]?.id} on #7`);
    expect(github.requests.every((request) => request.authorized)).toBe(true);
    expect(github.requests.some((request) => request.path.includes('page=2'))).toBe(true);
    expect(`${first.stdout}${first.stderr}${second.stdout}${second.stderr}`).not.toContain(github.token);
  });

  it('refuses a body without a marker line and reports a refused token without echoing it', async () => {
    const unmarked = await post('no marker\n');
    expect(unmarked.code).toBe(1);
    expect(unmarked.stderr).toMatch(/body\.md:1:1: expected an HTML comment line/);
    const refused = await post('<!-- manifold-diff -->\nx\n', { GITHUB_TOKEN: 'wrong-token-secret' });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(`pr-comment: GET ${github.url}/repos/acme/platform/issues/7/comments answered 401`);
    expect(refused.stderr).not.toContain('wrong-token-secret');
  });

  it('gives up on a server that trickles its answer at its wall-clock limit, in one line', async () => {
    const slow = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
      const drip = setInterval(() => response.write(' '), 200);
      response.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const { port } = slow.address() as AddressInfo;
    const started = Date.now();
    const result = await post('<!-- manifold-diff -->\nx\n', { GITHUB_API_URL: `http://127.0.0.1:${port}`, PR_COMMENT_TIMEOUT_SECONDS: '2' });
    const elapsed = Date.now() - started;
    slow.closeAllConnections();
    slow.close();
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`pr-comment: GET http://127.0.0.1:${port}/repos/acme/platform/issues/7/comments failed: no complete answer within 2 s`);
    expect(elapsed).toBeLessThan(10_000);
  });
});

describe('the review comment of a hostile change', () => {
  it('keeps every field path and value text: nothing ends a code span or lets HTML through', async () => {
    const root = await committedCopy();
    const widget = (name: string) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { parts: [{ name, size: 1 }] } });
    await addRawObjectsApp(root, 'widgets', [widget('plain')]);
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    git(root, 'add', '-A');
    git(root, 'commit', '--quiet', '-m', 'widgets');
    const hostile = 'x`\n\n<!-- the rest is hidden <details>';
    await editFile(join(root, 'apps/widgets/src/index.ts'), (text) => text.replace(JSON.stringify(widget('plain')), JSON.stringify(widget(hostile))));
    const result = await runManifold(root, ['diff', '--base', 'HEAD', '--markdown']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const [marker, ...others] = lines.filter((line) => line.includes('<!--'));
    expect(marker).toBe('<!-- manifold-diff -->');
    expect(others).toHaveLength(3);
    for (const line of others) {
      expect(line).toContain("`spec.parts[name=x'\\n\\n<!-- the rest is hidden <details>]`");
      expect(line).toMatch(/^- changed `example\.com\/v1 Widget acme-[a-z]+\/w`: `[^`]*`(, `[^`]*`)*$/);
    }
  });
});
