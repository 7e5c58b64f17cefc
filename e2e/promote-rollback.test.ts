import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedCopy, git } from './git-repository.ts';
import { copyRepository, runManifold, snapshot } from './temp-repo.ts';

const digest = (character: string) => `sha256:${character.repeat(64)}`;

describe('pnpm promote', () => {
  it('copies tag and digest, shows the table, records provenance and re-synthesizes the target only', async () => {
    const root = await copyRepository();
    const run = await runManifold(root, ['promote', 'staging', 'prod', '--only', 'web,ml-api/api']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('prod web/web: main-0a9b8c7-1731900000@sha256:adba21cc1f99 -> main-1e2d3c4-1732060000@sha256:650c449243c1');
    expect(run.stdout).toContain('prod ml-api/api:');
    const prod = await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8');
    const staging = await readFile(join(root, 'overlays/staging/images.yaml'), 'utf8');
    const stagingWeb = /ghcr\.io\/acme\/web:main-1e2d3c4-1732060000@sha256:[a-f0-9]{64}/.exec(staging)?.[0];
    expect(prod).toContain(`ref: ${stagingWeb} # {"$imagepolicy": "flux-system:prod-web-web"}\n`);
    expect(prod).toContain('source:\n      by: promote\n      from: staging\n');
    expect(prod).not.toContain('jobs-manager:main-5a1b2c3');
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });

  it('prints a Markdown table and writes nothing with --dry-run', async () => {
    const root = await copyRepository();
    const before = await snapshot(root);
    const run = await runManifold(root, ['promote', 'dev', 'staging', '--dry-run', '--markdown']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('| environment | image | repository | tag | digest |');
    expect(run.stdout).toMatch(/\| staging \| web\/web \| ghcr\.io\/acme\/web \| `main-1e2d3c4-1732060000` → `main-3f2c1e9-1732150000` \|/);
    expect(await snapshot(root)).toEqual(before);
  });

  it('refuses a pin without a digest into an environment that requires digests, writing nothing', async () => {
    const root = await copyRepository();
    const images = join(root, 'overlays/staging/images.yaml');
    await writeFile(images, (await readFile(images, 'utf8')).replace(/(ghcr\.io\/acme\/web:main-1e2d3c4-1732060000)@sha256:[a-f0-9]{64}/, '$1'));
    const environment = join(root, 'overlays/staging/environment.yaml');
    await writeFile(environment, (await readFile(environment, 'utf8')).replace('requireDigests: true', 'requireDigests: false'));
    const before = await snapshot(root);
    const run = await runManifold(root, ['promote', 'staging', 'prod']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^overlays\/staging\/images\.yaml:\d+:\d+: prod requires digests, but web\/web in staging has none/);
    expect(run.stderr).toContain('hint: pin staging by digest first: pnpm pin staging web/web=ghcr.io/acme/web:main-1e2d3c4-1732060000');
    expect(await snapshot(root)).toEqual(before);
  });
});

describe('pnpm rollback and pnpm release', () => {
  async function withHistory(): Promise<string> {
    const root = await committedCopy();
    for (const [round, character] of [
      [1, 'a'],
      [2, 'b'],
    ] as const) {
      const run = await runManifold(root, [
        'pin',
        'prod',
        `web/web=ghcr.io/acme/web:main-${character.repeat(7)}-173300000${round}@${digest(character)}`,
        '--no-verify',
      ]);
      expect(run.code).toBe(0);
      git(root, 'commit', '--quiet', '-am', `deploy web ${round}`);
    }
    return root;
  }

  it('goes back to the previous digest from git history and holds it, so Flux cannot move it', async () => {
    const root = await withHistory();
    const run = await runManifold(root, ['rollback', 'prod', 'web']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `prod web/web: ghcr.io/acme/web:main-bbbbbbb-1733000002@${digest('b')} -> ghcr.io/acme/web:main-aaaaaaa-1733000001@${digest('a')} (held)`,
    );
    const images = await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8');
    expect(images).toContain(`    ref: ghcr.io/acme/web:main-aaaaaaa-1733000001@${digest('a')}\n`);
    expect(images).toContain('    hold: true\n');
    expect(images).toMatch(/ {4}source:\n {6}by: rollback\n {6}commit: [a-f0-9]{40}\n/);
    expect(await readFile(join(root, 'dist/prod/web/deployment-web.yaml'), 'utf8')).not.toContain('$imagepolicy');
    expect((await runManifold(root, ['images', 'prod', '--json'])).stdout).toContain('"mode": "held"');
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);

    const release = await runManifold(root, ['release', 'prod', 'web']);
    expect(release.code).toBe(0);
    expect(release.stdout).toContain(`prod web/web: hold lifted on ghcr.io/acme/web:main-aaaaaaa-1733000001@${digest('a')}: Flux may move it again\n`);
    const released = await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8');
    expect(released).not.toContain('hold: true');
    expect(released).toContain(`ref: ghcr.io/acme/web:main-aaaaaaa-1733000001@${digest('a')} # {"$imagepolicy": "flux-system:prod-web-web"}`);
    expect(await readFile(join(root, 'dist/prod/web/deployment-web.yaml'), 'utf8')).toContain('# {"$imagepolicy": "flux-system:prod-web-web"}');
  });

  it('goes back further with --steps, and to a named tag with --to (digest from history)', async () => {
    const root = await withHistory();
    const steps = await runManifold(root, ['rollback', 'prod', 'web/web', '--steps', '2']);
    expect(steps.code).toBe(0);
    expect(await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8')).toContain('ref: ghcr.io/acme/web:main-0a9b8c7-1731900000@sha256:adba21cc');
    const to = await runManifold(root, ['rollback', 'prod', 'web', '--to', 'ghcr.io/acme/web:main-bbbbbbb-1733000002']);
    expect(to.code).toBe(0);
    expect(await readFile(join(root, 'overlays/prod/images.yaml'), 'utf8')).toContain(`ref: ghcr.io/acme/web:main-bbbbbbb-1733000002@${digest('b')}\n`);
  });

  it('says how much history there is when asked to go back too far', async () => {
    const root = await withHistory();
    const run = await runManifold(root, ['rollback', 'prod', 'web', '--steps', '9']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('has only 2 earlier reference(s) for web/web');
    const release = await runManifold(root, ['release', 'prod', 'web']);
    expect(release.code).toBe(2);
    expect(release.stderr).toContain('no pin named "web" is held in prod');
  });
});

describe('pnpm images', () => {
  it('lists every environment × image with mode and how far it trails the previous environment', async () => {
    const root = await copyRepository();
    const run = await runManifold(root, ['images']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^IMAGE\s+ENV\s+TAG\s+DIGEST\s+MODE\s+SIGNED\s+VS PREVIOUS$/);
    expect(lines.filter((line) => line.startsWith('web/web ')).map((line) => line.split(/\s+/)[1])).toEqual(['dev', 'staging', 'prod']);
    expect(run.stdout).toMatch(/web\/web\s+staging\s+main-1e2d3c4-1732060000\s+650c449243c1\s+auto\s+-\s+1d 1h behind dev/);
    expect(run.stdout).toMatch(/postgres\/postgres\s+prod\s+16\.4\s+\S+\s+pinned\s+-\s+same as staging/);
    const json = JSON.parse((await runManifold(root, ['images', 'dev', '--json'])).stdout) as { env: string; mode: string }[];
    expect(new Set(json.map((row) => row.env))).toEqual(new Set(['dev']));
    expect(json.every((row) => row.mode === 'auto')).toBe(true);
  });
});
