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
 * before, and where in a traced synth (counting the main thread's calls) the staged files are
 * created, each environment's patch is committed (the rename of its staging folder to
 * dist/.<env>.patch) and its files are moved in.
 */
async function patchScenario() {
  // Caches of its own: the injected call is found by counting, so other tests' runs must not change what its runs read.
  const root = await copyRepository(undefined, { ownCaches: true });
  await changeEveryEnvironment(root);
  const expectedNew = await copyRepository();
  await changeEveryEnvironment(expectedNew);
  expect((await runManifold(expectedNew, ['synth'])).code).toBe(0);
  const newTrees = await envSnapshots(expectedNew);
  const oldTrees = await envSnapshots(root);
  // Let the copied sources settle so the compiled code is cached and every run makes the same calls.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await runManifold(root, ['synth', '--check']);
  const pristine = join(root, '..', `${root.split('/').at(-1)}-old-dist`);
  await cp(join(root, 'dist'), pristine, { recursive: true });
  const restore = async () => {
    await rm(join(root, 'dist'), { recursive: true });
    await cp(pristine, join(root, 'dist'), { recursive: true });
  };
  // One synth first, undone: the stamps it leaves are there for every later run too (they change
  // how dist/ is listed), so the traced run makes the calls each injected run makes.
  expect((await runManifold(root, ['synth'])).code).toBe(0);
  await restore();
  const trace = join(root, '..', 'synth.trace');
  strace(root, ['-o', trace, '-e', `trace=${OPENS},${RENAMES}`]);
  const lines = (await readFile(trace, 'utf8')).split('\n');
  const main = lines[0]?.split(' ')[0];
  const ofMain = (pattern: RegExp) => lines.filter((line) => line.startsWith(`${main} `) && pattern.test(line));
  const opens = ofMain(/ openat\(/);
  const creations = opens.flatMap((line, index) => (line.includes('.next-') && line.includes('O_CREAT') ? [index + 1] : []));
  const renames = ofMain(/ rename(at2?)?\(/);
  const commits = renames.flatMap((line, index) => (/\/dist\/\.\w+\.next-\w+", [^,]*"[^"]*\/dist\/\.\w+\.patch"/.test(line) ? [index + 1] : []));
  const moves = renames.flatMap((line, index) => (/\/dist\/\.\w+\.patch\/(new|old)\//.test(line) ? [index + 1] : []));
  await restore();
  return { root, oldTrees, newTrees, restore, creations, commits, moves };
}

/** Picks `count` entries spread evenly over `list`, first and last included. */
const spread = (list: number[], count: number) => [
  ...new Set(Array.from({ length: count }, (_, index) => list[Math.round((index * (list.length - 1)) / (count - 1))] ?? 1)),
];

describe('dist/ writes', () => {
  it('leave each environment all-old or all-new when killed at any write or rename (strace fault injection)', async () => {
    const { root, oldTrees, newTrees, restore, creations, commits, moves } = await patchScenario();
    // One commit per environment; each changed file is moved aside and in.
    expect(commits.length).toBe(3);
    expect(moves.length).toBeGreaterThan(20);
    expect(creations.length).toBeGreaterThan(20);

    const points = [
      ...commits.flatMap((when) => [when, when + 1]).map((when) => ({ syscalls: RENAMES, when })),
      ...spread(moves, 6).map((when) => ({ syscalls: RENAMES, when })),
      ...spread(creations, 5).map((when) => ({ syscalls: OPENS, when })),
    ];
    const outcomes = new Set<string>();
    for (const point of points) {
      const killed = strace(root, ['-o', '/dev/null', '-e', `trace=${point.syscalls}`, '-e', `inject=${point.syscalls}:signal=KILL:when=${point.when}`]);
      expect(killed.status === 137 || killed.signal === 'SIGKILL', `not killed at ${point.syscalls} call ${point.when}: ${killed.stderr}`).toBe(true);
      for (const env of ENVS) {
        const tree = JSON.stringify([...(await snapshot(join(root, 'dist', env)))]);
        if (tree === JSON.stringify([...(oldTrees.get(env) ?? [])])) outcomes.add('old');
        else if (tree === JSON.stringify([...(newTrees.get(env) ?? [])])) outcomes.add('new');
        else {
          // Killed while moving a committed patch in: the patch waits beside the tree for the next run.
          expect((await readdir(join(root, 'dist'))).includes(`.${env}.patch`), `${env} is neither old nor new, and no patch is pending`).toBe(true);
          outcomes.add('patch pending');
        }
      }
      // The next synth completes whatever patch the kill left and the rest of the write.
      const recovered = await runManifold(root, ['synth']);
      expect(recovered.code).toBe(0);
      expect(await envSnapshots(root)).toEqual(newTrees);
      expect((await readdir(join(root, 'dist'))).sort()).toEqual(ENVS);
      await restore();
    }
    expect([...outcomes].sort()).toEqual(['new', 'old', 'patch pending']);
  }, 300_000);

  it('leave each environment all-old or all-new when the disk refuses a write or a rename, and say which path and errno', async () => {
    const { root, oldTrees, newTrees, restore, creations, commits, moves } = await patchScenario();

    const points = [
      ...[...commits, ...spread(moves, 4)].map((when) => ({ syscalls: RENAMES, error: 'EACCES', when })),
      ...spread(creations, 3).map((when) => ({ syscalls: OPENS, error: 'ENOSPC', when })),
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
      // The injected call is counted over all threads, so an open may hit a read before the write phase,
      // or the journal read after the commit (the write is whole; its patch folder is left for the next run).
      // A refused rename while a patch moves in is undone: the environment is unchanged.
      const outcome = /; (dist\/\w+ is unchanged|nothing was written|dist\/\w+ is up to date, but dist\/\.\w+\.patch is left over)$/.exec(first ?? '');
      const leftOver = outcome?.[1]?.endsWith('left over') === true;
      expect(first).toMatch(new RegExp(`^cannot [\\w ]+ [\\w./-]+: ${point.error} \\(\\w+\\); `));
      expect(outcome, first).not.toBeNull();
      expect(hint).toMatch(/^ {2}hint: /);
      expect(rest).toEqual([]);
      for (const env of ENVS) {
        const tree = JSON.stringify([...(await snapshot(join(root, 'dist', env)))]);
        expect([JSON.stringify([...(oldTrees.get(env) ?? [])]), JSON.stringify([...(newTrees.get(env) ?? [])])]).toContain(tree);
      }
      // Nothing half-built is left behind (but the patch folder a failed cleanup names), and the next synth completes the write.
      if (!leftOver) expect((await readdir(join(root, 'dist'))).sort()).toEqual(ENVS);
      const recovered = await runManifold(root, ['synth']);
      expect(recovered.code).toBe(0);
      expect(await envSnapshots(root)).toEqual(newTrees);
      expect((await readdir(join(root, 'dist'))).sort()).toEqual(ENVS);
      await restore();
    }
    expect(refusedCreations, 'an injected ENOSPC hit the creation of a staged file').toBeGreaterThan(0);
  }, 300_000);

  it('say on Ctrl-C (SIGINT) what state dist/ is in, and synth --check names a pending write until synth completes it', async () => {
    const { root, oldTrees, newTrees, restore, creations, moves } = await patchScenario();
    const points = [
      { syscalls: OPENS, when: creations[0] ?? 1 },
      { syscalls: RENAMES, when: moves[0] ?? 1 },
    ];
    const messages = new Set<string>();
    for (const point of points) {
      const interrupted = strace(root, ['-o', '/dev/null', '-e', `trace=${point.syscalls}`, '-e', `inject=${point.syscalls}:signal=INT:when=${point.when}`]);
      // Node runs the handler once the current synchronous step returns: a write may get further, never less whole.
      if (interrupted.status === 0) {
        expect(await envSnapshots(root)).toEqual(newTrees);
        await restore();
        continue;
      }
      expect(interrupted.status, interrupted.stderr).toBe(130);
      const line = interrupted.stderr.trimEnd().split('\n').at(-1) ?? '';
      expect(line).toMatch(
        /^interrupted: (no write is left half done in dist\/|the committed write of dist\/\w+(, dist\/\w+)* waits beside it; run pnpm synth to complete it)/,
      );
      const pending = (await readdir(join(root, 'dist'))).filter((name) => name.endsWith('.patch'));
      messages.add(pending.length > 0 ? 'pending' : 'whole');
      if (pending.length > 0) {
        const check = await runManifold(root, ['synth', '--check']);
        expect(check.code).toBe(1);
        expect(check.stdout).toMatch(/^interrupted write: dist\/\w+ is between two versions/m);
        expect(check.stderr).toBe('an interrupted write is pending: run pnpm synth to complete it\n');
      } else {
        for (const env of ENVS) expect([oldTrees.get(env), newTrees.get(env)]).toContainEqual(await snapshot(join(root, 'dist', env)));
      }
      expect((await runManifold(root, ['synth'])).code).toBe(0);
      expect(await envSnapshots(root)).toEqual(newTrees);
      await restore();
    }
    expect(messages.size).toBeGreaterThan(0);
    // A kill while a committed patch moves in leaves it pending: --check names it instead of listing stale files.
    const killed = strace(root, ['-o', '/dev/null', '-e', `trace=${RENAMES}`, '-e', `inject=${RENAMES}:signal=KILL:when=${moves[0] ?? 1}`]);
    expect(killed.status === 137 || killed.signal === 'SIGKILL').toBe(true);
    const check = await runManifold(root, ['synth', '--check']);
    expect(check.stdout).toMatch(/^interrupted write: dist\/\w+ is between two versions \(dist\/\.\w+\.patch waits beside it\)$/m);
    expect(check.stdout).not.toMatch(/stale:/);
    expect(check.stderr).toBe('an interrupted write is pending: run pnpm synth to complete it\n');
    expect(check.code).toBe(1);
    expect((await runManifold(root, ['synth'])).code).toBe(0);
    expect(await envSnapshots(root)).toEqual(newTrees);
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
