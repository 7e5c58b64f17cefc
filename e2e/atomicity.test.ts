import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyRepository, runManifold, snapshot } from './temp-repo.ts';

const ENVS = ['dev', 'prod', 'staging'];

/** Changes something in every environment so that a synth rewrites many files in each. */
async function changeEveryEnvironment(root: string): Promise<void> {
  for (const env of ENVS) {
    const path = join(root, 'overlays', env, 'environment.yaml');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/namespace: acme-(\w+)/, 'namespace: acme-$1-next'));
  }
}

async function envSnapshots(root: string): Promise<Map<string, Map<string, string>>> {
  return new Map(await Promise.all(ENVS.map(async (env) => [env, await snapshot(join(root, 'dist', env))] as const)));
}

describe('dist/ writes', () => {
  it('leave each environment all-old or all-new when killed at random points', async () => {
    const root = await copyRepository();
    await changeEveryEnvironment(root);
    const expectedNew = await copyRepository();
    await changeEveryEnvironment(expectedNew);
    expect((await runManifold(expectedNew, ['synth'])).code).toBe(0);
    const lock = join(root, 'dist', '.manifold.lock');
    const newTrees = await envSnapshots(expectedNew);
    const oldTrees = await envSnapshots(root);
    const pristine = join(root, '..', `${root.split('/').at(-1)}-old-dist`);
    await cp(join(root, 'dist'), pristine, { recursive: true });

    const outcomes = new Map<string, number>();
    // Kill at a random point after the lock appears (the write phase). The window adapts to the
    // machine's speed: it shrinks after a run that finished and grows after one killed too early.
    let window = 120;
    for (let attempt = 0; attempt < 15 || (attempt < 40 && !(outcomes.has('old') && outcomes.has('new'))); attempt++) {
      await rm(join(root, 'dist'), { recursive: true });
      await cp(pristine, join(root, 'dist'), { recursive: true });
      const delay = Math.random() * window;
      await runManifold(root, ['synth'], {
        onStart: (child) => {
          const watch = setInterval(() => {
            if (!existsSync(lock)) return;
            clearInterval(watch);
            setTimeout(() => child.kill('SIGKILL'), delay);
          }, 1);
          child.on('exit', () => clearInterval(watch));
        },
      });
      const states: string[] = [];
      for (const env of ENVS) {
        const tree = await snapshot(join(root, 'dist', env));
        let state: string;
        if (tree.size === 0) {
          // Killed between the two renames: the old tree waits beside it for recovery.
          expect(await snapshot(join(root, 'dist', `.${env}.previous`))).toEqual(oldTrees.get(env));
          state = 'between renames';
        } else if (JSON.stringify([...tree]) === JSON.stringify([...(oldTrees.get(env) ?? [])])) state = 'old';
        else {
          expect(tree).toEqual(newTrees.get(env));
          state = 'new';
        }
        outcomes.set(state, (outcomes.get(state) ?? 0) + 1);
        states.push(state);
      }
      if (states.every((state) => state === 'new')) window *= 0.6;
      else if (states.every((state) => state === 'old')) window = Math.min(window * 1.5, 2000);
      // The next synth recovers whatever the kill left and completes the write.
      const recovered = await runManifold(root, ['synth']);
      expect(recovered.code).toBe(0);
      expect(await envSnapshots(root)).toEqual(newTrees);
      expect((await readdir(join(root, 'dist'))).sort()).toEqual(ENVS);
    }
    // Both sides of the write were hit, so the invariant above was checked mid-write too.
    expect(outcomes.get('old')).toBeGreaterThan(0);
    expect(outcomes.get('new')).toBeGreaterThan(0);
  }, 300_000);

  it('serialises concurrent synths so that dist/ ends complete and consistent', async () => {
    const root = await copyRepository();
    await changeEveryEnvironment(root);
    const runs = await Promise.all([1, 2, 3].map(() => runManifold(root, ['synth'])));
    expect(runs.map((run) => run.code)).toEqual([0, 0, 0]);
    expect(runs.filter((run) => run.stdout.includes('written')).length).toBe(1);
    expect((await runManifold(root, ['synth', '--check'])).code).toBe(0);
    expect((await readdir(join(root, 'dist'))).sort()).toEqual(ENVS);
  });

  it('takes over a lock left by a process that was killed', async () => {
    const root = await copyRepository();
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    await writeFile(join(root, 'dist', '.manifold.lock'), `${dead}\n`);
    await changeEveryEnvironment(root);
    const run = await runManifold(root, ['synth']);
    expect(run.code).toBe(0);
    expect((await readdir(join(root, 'dist'))).sort()).toEqual(ENVS);
  });
});
