import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSetters } from '../cli/src/flux/simulate-setters.ts';
import { copyRepository, runManifold, snapshot } from './temp-repo.ts';

const ENVS = ['dev', 'staging', 'prod'];

async function policiesOf(root: string, env: string): Promise<string[]> {
  const files = await readdir(join(root, 'dist', env, '_flux')).catch(() => []);
  return files.filter((file) => file.startsWith('imagepolicy-')).map((file) => file.slice('imagepolicy-'.length, -'.yaml'.length));
}

/** A newer tag of the same shape as the pin's (timestamped or semver) and a digest for it. */
function newerImage(policy: string, round: number): string {
  const digest = createHash('sha256').update(`${policy}/${round}`).digest('hex');
  const tag = policy.endsWith('postgres') ? `16.${8 + round}` : `main-${digest.slice(0, 7)}-${1733000000 + round}`;
  return `${policy}=${tag}@sha256:${digest}`;
}

describe('Flux image updates survive re-synthesis', () => {
  it.each(ENVS)('%s: synth → Flux moves every policy → synth --check is clean, twice', async (env) => {
    const root = await copyRepository();
    const policies = await policiesOf(root, env);
    expect(policies.length).toBeGreaterThan(0);
    for (const round of [1, 2]) {
      const before = await snapshot(root);
      const run = await runManifold(root, [
        'flux',
        'simulate',
        env,
        '--write',
        '--json',
        ...policies.flatMap((policy) => ['--set', newerImage(policy, round)]),
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const { changes, files } = JSON.parse(run.stdout) as { changes: { file: string; setter: string }[]; files: string[] };
      // Every policy moved its pin and its fields in dist/, in one commit.
      for (const policy of policies)
        expect(changes.some((change) => change.file === `overlays/${env}/images.yaml` && change.setter.endsWith(`:${policy}`))).toBe(true);
      expect(files.some((file) => file.startsWith(`dist/${env}/`))).toBe(true);
      expect(files.every((file) => file.startsWith(`dist/${env}/`) || file === `overlays/${env}/images.yaml`)).toBe(true);
      const after = await snapshot(root);
      expect([...after.keys()].filter((path) => after.get(path) !== before.get(path)).sort()).toEqual([...files].sort());
      const check = await runManifold(root, ['synth', '--check']);
      expect(check.stdout).not.toContain('stale');
      expect(check.code).toBe(0);
    }
  });

  it('moves derived :tag and :digest fields together with the image', async () => {
    const root = await copyRepository();
    const run = await runManifold(root, ['flux', 'simulate', 'dev', '--write', '--set', newerImage('dev-jobs-manager-ingestor', 1)]);
    expect(run.code).toBe(0);
    const deployment = await readFile(join(root, 'dist/dev/jobs-manager/deployment-jobs-manager.yaml'), 'utf8');
    const digest = createHash('sha256').update('dev-jobs-manager-ingestor/1').digest('hex');
    expect(deployment).toContain(`value: "sha256:${digest}" # {"$imagepolicy": "flux-system:dev-jobs-manager-ingestor:digest"}`);
    expect(deployment).toContain(`value: "main-${digest.slice(0, 7)}-1733000001" # {"$imagepolicy": "flux-system:dev-jobs-manager-ingestor:tag"}`);
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });
});

describe('hold (sticky rollback)', () => {
  it('takes the marker away so Flux cannot move the pin, and gives it back on release', async () => {
    const root = await copyRepository();
    const images = join(root, 'overlays/prod/images.yaml');
    const original = await readFile(images, 'utf8');
    await writeFile(images, original.replace(/(ref: ghcr\.io\/acme\/web:[^\n]+\n)/, '$1    hold: true\n'));
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    const held = await snapshot(root);
    expect(held.get('overlays/prod/images.yaml')).not.toContain('$imagepolicy');
    expect([...held.entries()].filter(([path, text]) => path.startsWith('dist/prod/') && text.includes('$imagepolicy'))).toEqual([]);
    expect([...held.keys()].filter((path) => path.startsWith('dist/prod/_flux/'))).toEqual([]);
    // Even a policy still in the cluster finds no marker to move.
    const stale = runSetters(root, './', new Map([['flux-system:prod-web-web', { name: 'ghcr.io/acme/web', tag: 'main-9999999-1799999999' }]]));
    expect(stale.changes).toEqual([]);
    await writeFile(images, held.get('overlays/prod/images.yaml')?.replace('    hold: true\n', '') ?? '');
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    expect(await readFile(images, 'utf8')).toBe(original);
    expect(await readFile(join(root, 'dist/prod/web/deployment-web.yaml'), 'utf8')).toContain('# {"$imagepolicy": "flux-system:prod-web-web"}');
  });
});

describe('environments without automation', () => {
  it('get no Flux objects when no pin has an update policy, and a fixed pin gets no marker', async () => {
    const root = await copyRepository();
    const images = join(root, 'overlays/prod/images.yaml');
    await writeFile(images, (await readFile(images, 'utf8')).replace(/ {4}update:\n( {6}.*\n)+/g, ''));
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    const prod = await snapshot(join(root, 'dist/prod'));
    expect([...prod.keys()].filter((path) => path.startsWith('_flux/'))).toEqual([]);
    expect(prod.get('kustomization.yaml')).not.toContain('_flux');
    expect([...prod.values()].some((text) => text.includes('$imagepolicy'))).toBe(false);
    const simulate = await runManifold(root, ['flux', 'simulate', 'prod', '--set', 'prod-web-web=main-1111111-1800000000']);
    expect(simulate.code).toBe(2);
    expect(simulate.stderr).toContain('none (no pin has an update policy)');
  });
});

describe('adopting a Flux update that moved only dist/', () => {
  async function narrowedToDist(): Promise<string> {
    const root = await copyRepository();
    const environment = join(root, 'overlays/dev/environment.yaml');
    await writeFile(environment, `${await readFile(environment, 'utf8')}flux:\n  updatePath: ./dist/\n`);
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    return root;
  }

  it('is reported by --check, then taken into the pins by synth without reverting anything', async () => {
    const root = await narrowedToDist();
    const update = newerImage('dev-jobs-manager-ingestor', 1);
    const flux = await runManifold(root, ['flux', 'simulate', 'dev', '--write', '--json', '--set', update, '--set', newerImage('dev-web-web', 1)]);
    const { files, changes, commitMessage } = JSON.parse(flux.stdout) as {
      files: string[];
      changes: { oldValue: string; newValue: string }[];
      commitMessage: string;
    };
    expect(files.every((file) => file.startsWith('dist/dev/'))).toBe(true);
    // The commit message the generated automation's template gives: each change, then the files relative to update.path (./dist/).
    expect(commitMessage.startsWith('Update images in manifold-dev\n\nChanges:\n- ')).toBe(true);
    expect(
      commitMessage.endsWith(
        `\nFiles:\n${[...files]
          .sort()
          .map((file) => `- ${file.slice('dist/'.length)}\n`)
          .join('')}`,
      ),
    ).toBe(true);
    for (const { oldValue, newValue } of changes) expect(commitMessage).toContain(`- ${oldValue} -> ${newValue}\n`);
    const fluxCommit = await snapshot(join(root, 'dist'));

    const check = await runManifold(root, ['synth', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('Flux update not yet adopted: overlays/dev/images.yaml jobs-manager/ingestor: ghcr.io/acme/csv-ingestor:main-c0ffee1');
    expect(check.stdout).toContain('Flux update not yet adopted: overlays/dev/images.yaml web/web:');
    expect(check.stderr).not.toContain('edited by hand');

    const synth = await runManifold(root, ['synth']);
    expect(synth.stderr).toBe('');
    expect(synth.code).toBe(0);
    expect(synth.stdout).toContain('adopted  overlays/dev/images.yaml jobs-manager/ingestor:');
    const [tag, digest] = update.split('=')[1]?.split('@') ?? [];
    expect(await readFile(join(root, 'overlays/dev/images.yaml'), 'utf8')).toContain(
      `    ref: ghcr.io/acme/csv-ingestor:${tag}@${digest} # {"$imagepolicy": "flux-system:dev-jobs-manager-ingestor"}\n`,
    );
    const after = await snapshot(join(root, 'dist'));
    for (const [path, text] of fluxCommit) if (path !== 'dev/.manifold-index') expect({ path, text: after.get(path) }).toEqual({ path, text });
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
  });

  it('still refuses a file where more than the marked values changed', async () => {
    const root = await narrowedToDist();
    expect((await runManifold(root, ['flux', 'simulate', 'dev', '--write', '--set', newerImage('dev-web-web', 1)])).code).toBe(0);
    const deployment = join(root, 'dist/dev/web/deployment-web.yaml');
    await writeFile(deployment, (await readFile(deployment, 'utf8')).replace('replicas: 1', 'replicas: 5'));
    const before = await snapshot(root);
    const synth = await runManifold(root, ['synth']);
    expect(synth.code).toBe(2);
    expect(synth.stderr).toContain('dist/dev/web/deployment-web.yaml:1:1: generated file was edited by hand');
    expect(await snapshot(root)).toEqual(before);
  });
});
