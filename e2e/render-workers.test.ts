/**
 * Rendering apps on worker threads: the same bytes as the main thread alone, renders the workers made
 * are reused by the next run, a Flux update adopted on the way renders as without workers, and a
 * problem is reported exactly as without workers (the first failing environment, in order, with its
 * app's stack under --verbose).
 */
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyRepository, runManifold, snapshot } from './temp-repo.ts';

const withWorkers = (count: number) => ({ env: { MANIFOLD_RENDER_WORKERS: String(count) } });

interface SynthJson {
  workers: number;
  environments: Record<string, { apps: { rendered: string[]; reused: string[] } }>;
}

describe('render workers', () => {
  let root: string;
  let committed: Map<string, string>;
  beforeAll(async () => {
    root = await copyRepository();
    committed = await snapshot(join(root, 'dist'));
  });

  it('write byte for byte what the main thread alone writes, and leave renders the next run reuses', async () => {
    await rm(join(root, 'dist'), { recursive: true });
    const parallel = await runManifold(root, ['synth', '--no-cache', '--json'], withWorkers(3));
    expect(parallel.code, parallel.stderr).toBe(0);
    expect((JSON.parse(parallel.stdout) as SynthJson).workers).toBe(3);
    expect(await snapshot(join(root, 'dist'))).toEqual(committed);

    // Renders the workers made are kept, and reused by the next run (dist/ removed, so the stamps do
    // not hold) without starting a worker: nothing is left to render.
    await rm(join(root, 'dist'), { recursive: true });
    const cached = await runManifold(root, ['synth', '--json'], withWorkers(2));
    expect(cached.code, cached.stderr).toBe(0);
    for (const [env, { apps }] of Object.entries((JSON.parse(cached.stdout) as SynthJson).environments)) expect(apps.reused, env).toEqual([]);
    await rm(join(root, 'dist'), { recursive: true });
    const reused = await runManifold(root, ['synth', '--json'], withWorkers(2));
    expect(reused.code, reused.stderr).toBe(0);
    const result = JSON.parse(reused.stdout) as SynthJson;
    expect(result.workers).toBe(0);
    for (const [env, { apps }] of Object.entries(result.environments)) {
      expect(apps.rendered, env).toEqual([]);
      expect(apps.reused.length, env).toBeGreaterThan(0);
    }
    expect(await snapshot(join(root, 'dist'))).toEqual(committed);

    const alone = await runManifold(root, ['synth', '--check', '--no-cache', '--json'], withWorkers(0));
    expect(alone.code, alone.stdout).toBe(0);
    expect((JSON.parse(alone.stdout) as { workers: number }).workers).toBe(0);
  });

  it('render the apps whose pins a Flux update moved again, as the main thread alone does', async () => {
    // Two copies where Flux moved the web image in dist/dev only (the pins follow on the next synth).
    const copies = await Promise.all(
      [0, 2].map(async (count) => {
        const copy = await copyRepository();
        const environment = join(copy, 'overlays/dev/environment.yaml');
        await writeFile(environment, `${await readFile(environment, 'utf8')}flux:\n  updatePath: ./dist/\n`);
        expect((await runManifold(copy, ['synth'])).code).toBe(0);
        const digest = createHash('sha256').update('web').digest('hex');
        const flux = await runManifold(copy, [
          'flux',
          'simulate',
          'dev',
          '--write',
          '--set',
          `dev-web-web=main-${digest.slice(0, 7)}-1800000000@sha256:${digest}`,
        ]);
        expect(flux.code, flux.stderr).toBe(0);
        const synth = await runManifold(copy, ['synth', '--no-cache', '--json'], withWorkers(count));
        expect(synth.code, synth.stderr).toBe(0);
        expect((JSON.parse(synth.stdout) as SynthJson & { adoptions: unknown[] }).adoptions.length).toBe(1);
        return copy;
      }),
    );
    const [alone, parallel] = await Promise.all(copies.map((copy) => snapshot(join(copy, 'dist'))));
    expect(parallel).toEqual(alone);
    const pins = await Promise.all(copies.map((copy) => readFile(join(copy, 'overlays/dev/images.yaml'), 'utf8')));
    expect(pins[1]).toBe(pins[0]);
    expect(pins[0]).toContain('1800000000');
  });

  it('report the problem of the first failing environment, as the main thread does', async () => {
    const app = join(root, 'apps/web/src/index.ts');
    const source = await readFile(app, 'utf8');
    // dev and prod fail differently; dev comes first.
    await writeFile(
      app,
      source.replace('build(chart, env) {', "build(chart, env) {\n    if (env.name !== 'staging') throw new Error('no web in ' + env.name);"),
    );
    try {
      const runs = await Promise.all([0, 3].map((count) => runManifold(root, ['synth', '--check', '--no-cache', '--verbose'], withWorkers(count))));
      for (const run of runs) expect(run.code).toBe(2);
      const [alone, parallel] = runs.map((run) => run.stderr);
      expect(alone).toMatch(/^apps\/web\/src\/index\.ts:\d+:\d+: .*no web in dev/);
      expect(parallel?.split('\n').slice(0, 2)).toEqual(alone?.split('\n').slice(0, 2));
      // --verbose shows the app's stack, from the worker too.
      expect(parallel).toMatch(/Error: no web in dev\n\s+at /);
    } finally {
      await writeFile(app, source);
    }
  });
});
