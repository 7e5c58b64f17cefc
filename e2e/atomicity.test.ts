import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyRepository, REPO_ROOT, runManifold, snapshot } from './temp-repo.ts';

const ENVS = ['dev', 'prod', 'staging'];

/** Changes something in every environment so that a synth rewrites many files in each. */
async function changeEveryEnvironment(root: string): Promise<void> {
  for (const env of ENVS) {
    const path = join(root, 'overlays', env, 'environment.yaml');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/namespace: acme-(\w+)/, 'namespace: acme-$1-next'));
  }
}

const OPENS = 'openat';
const RENAMES = 'rename,renameat,renameat2';

/** Runs `manifold synth` on `root` under strace with `options`. */
function strace(root: string, options: string[]) {
  return spawnSync('strace', ['-f', '-qq', ...options, process.execPath, join(REPO_ROOT, 'cli/bin/manifold.mjs'), '--root', root, 'synth'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

async function envSnapshots(root: string): Promise<Map<string, Map<string, string>>> {
  return new Map(await Promise.all(ENVS.map(async (env) => [env, await snapshot(join(root, 'dist', env))] as const)));
}

/**
 * A repository whose every environment changes, with the trees before and after, a way back to
 * before, and where in a traced synth the staging files are created and the swaps renamed.
 */
async function swapScenario() {
  // Caches of its own: the injected call is found by counting, so other tests' runs must not change what its runs read.
  const root = await copyRepository(undefined, { ownCaches: true });
  await changeEveryEnvironment(root);
  const expectedNew = await copyRepository();
  await changeEveryEnvironment(expectedNew);
  expect((await runManifold(expectedNew, ['synth'])).code).toBe(0);
  const newTrees = await envSnapshots(expectedNew);
  const oldTrees = await envSnapshots(root);
  // Let the copied sources settle so the compiled bundle is cached and every run makes the same calls.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await runManifold(root, ['synth', '--check']);
  const pristine = join(root, '..', `${root.split('/').at(-1)}-old-dist`);
  await cp(join(root, 'dist'), pristine, { recursive: true });
  const restore = async () => {
    await rm(join(root, 'dist'), { recursive: true });
    await cp(pristine, join(root, 'dist'), { recursive: true });
  };
  // One traced run lists the main thread's file creations in the staging trees and its renames.
  const trace = join(root, '..', 'synth.trace');
  strace(root, ['-o', trace, '-e', `trace=${OPENS},${RENAMES}`]);
  const lines = (await readFile(trace, 'utf8')).split('\n');
  const main = lines[0]?.split(' ')[0];
  const ofMain = (pattern: RegExp) => lines.filter((line) => line.startsWith(`${main} `) && pattern.test(line));
  const opens = ofMain(/ openat\(/);
  const creations = opens.flatMap((line, index) => (line.includes('.next-') && line.includes('O_CREAT') ? [index + 1] : []));
  const renames = ofMain(/ rename(at2?)?\(/).length;
  const swaps = ofMain(/ rename(at2?)?\(.*\/dist\//).length;
  await restore();
  return { root, oldTrees, newTrees, restore, creations, renames, swaps };
}

describe('dist/ writes', () => {
  it('leave each environment all-old or all-new when killed at any write or rename (strace fault injection)', async () => {
    const { root, oldTrees, newTrees, restore, creations, renames, swaps } = await swapScenario();
    // Two renames per environment swap its tree; the others keep caches (renders, stamps, verdicts).
    expect(swaps).toBe(6);
    expect(renames).toBeGreaterThanOrEqual(swaps);
    expect(creations.length).toBeGreaterThan(20);

    const points = [
      ...Array.from({ length: renames }, (_, index) => ({ syscalls: RENAMES, when: index + 1 })),
      ...[0, 0.2, 0.5, 0.8, 0.99].map((at) => ({ syscalls: OPENS, when: creations[Math.floor(at * creations.length)] ?? 1 })),
    ];
    const outcomes = new Set<string>();
    for (const point of points) {
      const killed = strace(root, ['-o', '/dev/null', '-e', `trace=${point.syscalls}`, '-e', `inject=${point.syscalls}:signal=KILL:when=${point.when}`]);
      expect(killed.status === 137 || killed.signal === 'SIGKILL').toBe(true);
      for (const env of ENVS) {
        const tree = await snapshot(join(root, 'dist', env));
        if (tree.size === 0) {
          // Killed between the two renames: the old tree waits beside it for recovery.
          expect(await snapshot(join(root, 'dist', `.${env}.previous`))).toEqual(oldTrees.get(env));
          outcomes.add('between renames');
        } else if (JSON.stringify([...tree]) === JSON.stringify([...(oldTrees.get(env) ?? [])])) outcomes.add('old');
        else {
          expect(tree).toEqual(newTrees.get(env));
          outcomes.add('new');
        }
      }
      // The next synth recovers whatever the kill left and completes the write.
      const recovered = await runManifold(root, ['synth']);
      expect(recovered.code).toBe(0);
      expect(await envSnapshots(root)).toEqual(newTrees);
      expect((await readdir(join(root, 'dist'))).sort()).toEqual(ENVS);
      await restore();
    }
    expect([...outcomes].sort()).toEqual(['between renames', 'new', 'old']);
  }, 300_000);

  it('leave each environment all-old or all-new when the disk refuses a write or a rename, and say which path and errno', async () => {
    const { root, oldTrees, newTrees, restore, creations } = await swapScenario();

    const points = [
      ...[1, 2, 3, 4, 5, 6].map((when) => ({ syscalls: RENAMES, error: 'EACCES', when })),
      ...[0, 0.5, 0.9].map((at) => ({ syscalls: OPENS, error: 'ENOSPC', when: creations[Math.floor(at * creations.length)] ?? 1 })),
    ];
    let refusedCreations = 0;
    for (const point of points) {
      const failed = strace(root, [
        '-o',
        '/dev/null',
        '-e',
        `trace=${point.syscalls}`,
        '-e',
        `inject=${point.syscalls}:error=${point.error}:when=${point.when}`,
      ]);
      // strace counts the opens of every thread, and how many the thread pool makes before the write
      // phase depends on timing: on a loaded machine an open chosen from the traced run may fall past the
      // last creation (a cache write, whose failure is ignored). Such a run must have written everything.
      if (failed.status === 0 && point.syscalls === OPENS) {
        expect(await envSnapshots(root)).toEqual(newTrees);
        await restore();
        continue;
      }
      if (point.syscalls === OPENS) refusedCreations++;
      expect(failed.status, JSON.stringify(point)).toBe(1);
      const [first, hint, ...rest] = failed.stderr.trimEnd().split('\n');
      // The injected call is counted over all threads, so it may hit a read before the write phase, or the
      // removal of the replaced tree after it (then the new tree is in place and the leftover is named).
      const outcome = /; (dist\/\w+ is unchanged|nothing was written|dist\/(\w+) is up to date, but dist\/\.(\w+)\.previous is left over)$/.exec(first ?? '');
      expect(first).toMatch(new RegExp(`^cannot [\\w ]+ [\\w./-]+: ${point.error} \\(\\w+\\); `));
      expect(outcome, first).not.toBeNull();
      expect(hint).toMatch(/^ {2}hint: /);
      expect(rest).toEqual([]);
      for (const env of ENVS) {
        const tree = JSON.stringify([...(await snapshot(join(root, 'dist', env)))]);
        expect([JSON.stringify([...(oldTrees.get(env) ?? [])]), JSON.stringify([...(newTrees.get(env) ?? [])])]).toContain(tree);
      }
      // Nothing half-built is left behind (only a named leftover of a replaced tree), and the next synth completes the write and removes it.
      const leftover = outcome?.[3] ? [`.${outcome[3]}.previous`] : [];
      expect((await readdir(join(root, 'dist'))).sort()).toEqual([...leftover, ...ENVS]);
      const recovered = await runManifold(root, ['synth']);
      expect(recovered.code).toBe(0);
      expect(await envSnapshots(root)).toEqual(newTrees);
      expect((await readdir(join(root, 'dist'))).sort()).toEqual(ENVS);
      await restore();
    }
    expect(refusedCreations, 'an injected ENOSPC hit the creation of a staged file').toBeGreaterThan(0);
  }, 300_000);

  it('give generated folders and files the permissions of the user umask, not 0700', async () => {
    const root = await copyRepository();
    await changeEveryEnvironment(root);
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    const reference = join(root, 'umask-reference');
    await mkdir(reference);
    await writeFile(join(reference, 'file'), '');
    expect((await stat(join(root, 'dist/dev'))).mode & 0o777).toBe((await stat(reference)).mode & 0o777);
    expect((await stat(join(root, 'dist/dev/web'))).mode & 0o777).toBe((await stat(reference)).mode & 0o777);
    expect((await stat(join(root, 'dist/dev/web/deployment-web.yaml'))).mode & 0o777).toBe((await stat(join(reference, 'file'))).mode & 0o777);
  });

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
