/**
 * The release board in a real browser (Debian's chromium driven by playwright-core): built from a
 * repository with real git history, its cells match `pnpm images --json`, its filters and history
 * work, it has no serious accessibility violation (axe-core) in light or dark, and it is the same
 * file for the same repository state. Screenshots at desktop and phone widths are kept in
 * .cache/board-screenshots/.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedCopy, git, gitWith, scriptEnvironment } from './git-repository.ts';
import { REPO_ROOT, runManifold } from './temp-repo.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(REPO_ROOT, '.cache', 'board-screenshots');
const COMMIT_URL = 'https://git.example.com/acme/platform/-/commit/{sha}';
const digest = (character: string) => `sha256:${character.repeat(64)}`;
const WEB = `ghcr.io/acme/web:main-aaaaaaa-1733000000@${digest('a')}`;

interface ImageRow {
  image: string;
  env: string;
  tag: string;
  digest: string | null;
  mode: string;
}

describe('release board', () => {
  let root: string;
  let page: Page;
  let browser: Browser;
  let deployCommit: string;
  let boardFile: string;

  async function manifold(...args: string[]): Promise<string> {
    const run = await runManifold(root, args, { env: { CI: 'true', GITHUB_ACTOR: 'release-bot', GITHUB_RUN_ID: '4242', GITHUB_SHA: 'a'.repeat(40) } });
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    return run.stdout;
  }
  // Every commit in the same second (just after the first one), as a script's commits often are: the
  // history must keep git's order.
  let sameSecond = '';
  const commit = (message: string) => {
    git(root, 'add', '-A');
    gitWith({ GIT_COMMITTER_DATE: sameSecond }, root, 'commit', '--quiet', '-m', message);
    return git(root, 'rev-parse', 'HEAD').trim();
  };

  beforeAll(async () => {
    root = await committedCopy();
    sameSecond = `${Math.floor(Date.now() / 1000) + 1} +0000`;
    await manifold('pin', 'dev', `web/web=${WEB}`, '--no-verify');
    deployCommit = commit('deploy web to dev');
    await manifold('promote', 'dev', 'staging', '--only', 'web/web');
    commit('promote web to staging');
    await manifold('rollback', 'staging', 'web/web', '--steps', '1');
    commit('roll staging web back');
    await manifold('release', 'staging', 'web/web');
    commit('release staging web');
    await manifold('promote', 'staging', 'prod', '--only', 'ml-api/api');
    commit('promote ml-api to prod');
    await manifold('rollback', 'prod', 'ml-api/api', '--steps', '1');
    commit('roll prod ml-api back');
    // Flux's branch for dev, one commit ahead of main.
    git(root, 'checkout', '--quiet', '-b', 'flux/image-updates/dev');
    await manifold('flux', 'simulate', 'dev', '--write', '--set', `dev-ml-api-api=main-9999999-1799999999@${digest('9')}`);
    commit('Update images in manifold-dev');
    git(root, 'checkout', '--quiet', 'main');
    const drift = join(root, '..', 'prod-esc.json');
    await writeFile(
      drift,
      JSON.stringify({
        differing: [{ image: 'web/web', pin: 'ghcr.io/acme/web:main-1@sha256:1', esc: `ghcr.io/acme/web:main-bbbbbbb-1733100000@${digest('b')}` }],
      }),
    );
    const out = join(root, '..', 'board-out');
    await manifold('board', '--out', out, '--drift', `prod=${drift}`, '--commit-url', COMMIT_URL);
    boardFile = join(out, 'index.html');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${boardFile}`);
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows every cell of pnpm images --json: tag, short digest and mode', async () => {
    const rows = JSON.parse(await manifold('images', '--json')) as ImageRow[];
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const cell = page.locator(`#matrix td[data-env="${row.env}"][data-image="${row.image}"]`);
      expect(await cell.count(), `${row.env} ${row.image}`).toBe(1);
      expect(await cell.locator('.tag').textContent()).toBe(row.tag);
      expect(await cell.locator('.digest').textContent()).toBe(row.digest ? row.digest.slice(7, 19) : 'no digest');
      expect(await cell.locator('.mode').textContent()).toBe(row.mode);
    }
    expect(await page.locator('#matrix thead th[data-env]').allTextContents()).toEqual(['dev', 'staging', 'prod']);
  });

  it('says when, by whom and in which commit a pin was set, and what trails and what waits', async () => {
    const web = page.locator('#matrix td[data-env="dev"][data-image="web/web"]');
    const built = new Date(1_733_000_000_000).toISOString();
    expect(await web.locator('.age').textContent()).toMatch(new RegExp(`^built ${built.slice(0, 10)} ${built.slice(11, 16)} UTC \\(\\d+ days ago\\)$`));
    expect(await web.locator('time').getAttribute('datetime')).toBe(built);
    expect(await web.locator('.by').textContent()).toBe(`by ci · release-bot · run 4242 · commit ${deployCommit.slice(0, 7)}`);
    expect(await web.locator('.by a').getAttribute('href')).toBe(COMMIT_URL.replace('{sha}', deployCommit));
    const held = page.locator('#matrix td[data-env="prod"][data-image="ml-api/api"]');
    expect(await held.locator('.mode').textContent()).toBe('held');
    expect(await held.locator('.by').textContent()).toMatch(/^by rollback/);
    expect(await page.locator('#matrix td[data-env="staging"][data-image="ml-api/api"] .trails').textContent()).toBe('same as dev');
    // The Flux branch for dev moves ml-api; ESC has another web for prod.
    expect(await page.locator('#matrix td[data-env="dev"][data-image="ml-api/api"] .waiting').textContent()).toBe(
      `waiting: main-9999999-1799999999@${'9'.repeat(12)}`,
    );
    expect(await page.locator('.waiting-branch h3').textContent()).toBe('flux/image-updates/dev (1 commit ahead)');
    expect(await page.locator('#matrix td[data-env="prod"][data-image="web/web"] .drift').textContent()).toBe(
      `ESC has main-bbbbbbb-1733100000@${'b'.repeat(12)}`,
    );
  });

  it('filters by environment, state and app', async () => {
    await page.selectOption('#filter-env', 'prod');
    expect(await page.locator('#matrix thead th[data-env]:visible').allTextContents()).toEqual(['prod']);
    await page.selectOption('#filter-state', 'held');
    expect(await page.locator('#matrix tbody tr:visible th').allTextContents()).toEqual(['ml-api/api']);
    await page.selectOption('#filter-env', '');
    await page.selectOption('#filter-state', 'waiting');
    expect(await page.locator('#matrix tbody tr:visible th').allTextContents()).toEqual(['ml-api/api']);
    await page.selectOption('#filter-state', '');
    await page.selectOption('#filter-app', 'web');
    expect(await page.locator('#matrix tbody tr:visible th').allTextContents()).toEqual(['web/web']);
    expect(await page.locator('details.history:visible summary').count()).toBe(1);
    await page.selectOption('#filter-app', '');
    expect(await page.locator('#matrix tbody tr:visible').count()).toBe(await page.locator('#matrix tbody tr').count());
  });

  it("shows each pin's history from git, newest first, with rollbacks, holds and releases marked", async () => {
    await page.locator('details.history[data-image="web/web"] summary').click();
    const events = await page.locator('details.history[data-image="web/web"] tbody tr[data-env="staging"] .event').allTextContents();
    expect(events).toEqual(['release', 'rollback', 'promote', 'set']);
    const prod = await page.locator('details.history[data-image="ml-api/api"] tbody tr[data-env="prod"] .event').allTextContents();
    expect(prod).toEqual(['rollback', 'promote', 'set']);
    // The keyboard reaches the filters first, then the table, and opens a history.
    await page.reload();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter-app');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('region');
    await page.locator('details.history[data-image="postgres/postgres"] summary').focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('details.history[data-image="postgres/postgres"]').getAttribute('open')).toBe('');
  });

  it('has no serious accessibility violation, light or dark, and reads on a phone', async () => {
    const axe = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [name, viewport] of [
        ['desktop', { width: 1280, height: 900 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        // Bypassing the page's CSP lets axe-core be injected; board-hostile.test.ts proves the policy itself.
        const view = await browser.newPage({ viewport, colorScheme, bypassCSP: true });
        await view.goto(`file://${boardFile}`);
        await view.addScriptTag({ path: axe });
        const violations = await view.evaluate(async () => {
          const result = await (
            window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }
          ).axe.run();
          return result.violations.map(({ id, impact, nodes }) => ({ id, impact, nodes: nodes.length }));
        });
        expect(
          violations.filter(({ impact }) => impact === 'serious' || impact === 'critical'),
          `${name} ${colorScheme}`,
        ).toEqual([]);
        // Nothing is wider than the screen but the scrolling tables.
        expect(await view.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        await view.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`) });
        await view.close();
      }
    }
  });

  it('shows the promotion graph as it is, and reads on a phone with a fourth environment', async () => {
    const wide = await committedCopy();
    const created = await runManifold(wide, ['new', 'env', 'quality-assurance', '--from', 'dev']);
    expect(created.code, created.stderr).toBe(0);
    git(wide, 'add', '-A');
    git(wide, 'commit', '--quiet', '-m', 'add quality-assurance');
    const out = join(wide, '..', 'board-wide');
    expect((await runManifold(wide, ['board', '--out', out])).code).toBe(0);
    const view = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await view.goto(`file://${join(out, 'index.html')}`);
    expect(await view.locator('.summary').textContent()).toBe('6 images × 4 environments (dev → quality-assurance; dev → staging → prod)');
    expect(await view.locator('#matrix thead th').allTextContents()).toEqual(['Image', 'dev', 'quality-assurance', 'staging', 'prod']);
    expect(await view.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await view.close();
  });

  it("is written by the publishing workflow's script", () => {
    execFileSync('bash', [join(REPO_ROOT, '.github/scripts/board.sh')], { cwd: root, env: scriptEnvironment({ BOARD_OUT: 'site', PULUMI_ACCESS_TOKEN: '' }) });
    expect(readFileSync(join(root, 'site/index.html'), 'utf8')).toContain('<title>Release board</title>');
  });

  it('is the same file for the same repository state', async () => {
    const first = await readFile(boardFile, 'utf8');
    await manifold('board', '--out', join(root, '..', 'board-out'), '--drift', `prod=${join(root, '..', 'prod-esc.json')}`, '--commit-url', COMMIT_URL);
    expect(await readFile(boardFile, 'utf8')).toBe(first);
    expect(first).not.toMatch(/generated/);
    expect(first).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });
});
