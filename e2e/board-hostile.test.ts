/**
 * The release board against a hostile repository: what a Flux branch, an old commit, a commit's author
 * or a drift report says reaches the page as inert text, and the page's Content-Security-Policy runs
 * nothing but its own inline script and style (checked in Debian's chromium). The output folder is
 * never a link and holds none, so neither the write nor a Pages upload follows one.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedCopy, git, gitWith } from './git-repository.ts';
import { runManifold } from './temp-repo.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const digest = (character: string) => `sha256:${character.repeat(64)}`;
/** Sets `window.pwned` when it runs: the page must never run it. */
const payload = (where: string) => `<img src=x onerror="window.pwned=1" alt="${where}">`;

describe('the release board of a hostile repository', () => {
  let root: string;
  let html: string;
  let browser: Browser;

  async function open(file: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    return page;
  }

  beforeAll(async () => {
    root = await committedCopy();
    const images = join(root, 'overlays/dev/images.yaml');
    const original = await readFile(images, 'utf8');
    // An old commit on main, by an author whose name is markup, with a ref no registry would take.
    await writeFile(images, original.replace(/ref: ghcr\.io\/acme\/web:[^\n]+/, `ref: 'ghcr.io/acme/web:${payload('history ref')}'`));
    git(root, 'add', '-A');
    gitWith({ GIT_AUTHOR_NAME: payload('author'), GIT_AUTHOR_EMAIL: 'x@example.com' }, root, 'commit', '--quiet', '-m', 'hostile');
    await writeFile(images, original);
    git(root, 'commit', '--quiet', '-am', 'restore');
    // A Flux branch whose images.yaml holds markup as a ref and as an image name.
    git(root, 'checkout', '--quiet', '-b', 'flux/image-updates/dev');
    const hostile = original
      .replace(/ref: ghcr\.io\/acme\/web:[^\n]+/, `ref: 'ghcr.io/acme/web:${payload('waiting ref')}@${digest('e')}'`)
      .concat(`'${payload('image name')}':\n  '${payload('image key')}':\n    ref: ghcr.io/acme/x:v1@${digest('f')}\n`);
    await writeFile(images, hostile);
    git(root, 'commit', '--quiet', '-am', 'Update images');
    git(root, 'checkout', '--quiet', 'main');
    const drift = join(root, '..', 'drift.json');
    await writeFile(drift, JSON.stringify({ differing: [{ image: 'web/web', pin: payload('drift pin'), esc: payload('drift esc') }] }));
    const run = await runManifold(root, ['board', '--out', 'board', '--drift', `dev=${drift}`]);
    expect(run.code, run.stderr).toBe(0);
    html = await readFile(join(root, 'board/index.html'), 'utf8');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows every string from git and the drift report as text, and runs none of it', async () => {
    expect(html).not.toMatch(/<img/i);
    const page = await open(join(root, 'board/index.html'));
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toContain('(invalid reference)');
    expect(text).toContain(payload('image key'));
    expect(text).toContain(payload('drift esc'));
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('runs its own script and style, and nothing else that reaches the page', async () => {
    // As if a string had slipped past the escaping: an inline script, a handler and a remote style.
    const slipped = html.replace(
      '</main>',
      `<script>window.pwned=2</script>${payload('slipped')}<link rel="stylesheet" href="https://example.invalid/x.css"></main>`,
    );
    const file = join(root, 'board/slipped.html');
    await writeFile(file, slipped);
    const page = await open(file);
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    // The page's own script filters (it hides other environments' cells) and its style applies.
    await page.selectOption('#filter-env', 'dev');
    expect(await page.locator('#matrix td[data-env="prod"]').first().isHidden()).toBe(true);
    expect(await page.locator('h1').evaluate((h1) => getComputedStyle(h1).fontSize)).toBe('24px');
  });

  it.each([
    ['is a link', async (out: string) => symlink(join(root, 'apps'), out)],
    [
      'holds a link (a Pages upload would publish what it points at)',
      async (out: string) => {
        await mkdir(out);
        await symlink('/etc/hostname', join(out, 'leak'));
      },
    ],
  ])('refuses an output folder that %s', async (_what, make) => {
    const out = join(root, `out-${Math.random().toString(36).slice(2)}`);
    await make(out);
    const run = await runManifold(root, ['board', '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--out: .* is a symbolic link/);
    expect(run.stderr).toContain('name a folder without symbolic links');
  });
});
