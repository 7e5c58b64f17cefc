/** An exclusive lock on dist/ so that two synths never write at once. */

import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationalError } from '../errors/manifold-error.ts';
import { assertRealPath } from '../files/repository-paths.ts';

const LOCK_FILE = '.manifold.lock';
const POLL_MS = 50;
/** A lock file still empty after this long was left by a process killed while creating it. */
const UNWRITTEN_LOCK_MS = 5_000;
/** A lock from another host older than this is taken over: no synth takes that long. */
const FOREIGN_LOCK_MS = 15 * 60_000;

/** Who holds the lock, as written into the lock file. */
interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The holder's start time from /proc (clock ticks since boot), so a reused pid is recognised. */
  readonly start?: string;
  readonly since: string;
}

/** Raised when the lock is held by a live process or by another machine. */
export class DistLockedError extends OperationalError {}

// Locks this process holds, so that a command holding the lock can call code that takes it too.
const heldByThisProcess = new Set<string>();

/**
 * Runs `work` while holding `dist/.manifold.lock`. A lock whose holder is gone (killed mid-write,
 * a reused pid, an empty file left by a kill) is taken over; a live manifold on this machine is
 * waited for up to `waitMs`; a lock from another machine or container is reported at once.
 * Re-entrant within one process.
 */
export async function withDistLock<T>(distDir: string, work: () => Promise<T>, waitMs = 60_000): Promise<T> {
  if (heldByThisProcess.has(distDir)) return work();
  assertRealPath(dirname(distDir), basename(distDir));
  await mkdir(distDir, { recursive: true });
  const lockPath = join(distDir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  const me: LockHolder = { pid: process.pid, host: hostname(), start: processStart(process.pid), since: new Date().toISOString() };
  // Asked of git once, when a lock is found: a lock file git tracks is nobody's.
  let tracked: boolean | undefined;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const holder = parseHolder(text);
      tracked ??= isTrackedByGit(lockPath);
      const state = tracked ? 'tracked' : holderState(holder, lockPath);
      if (state === 'tracked') {
        // A committed lock would block every clone: it is nobody's, so it is taken over, and said.
        process.stderr.write(
          `warning: dist/${LOCK_FILE} is tracked by git, so it locks nothing; taking it over (remove it: git rm --cached dist/${LOCK_FILE})\n`,
        );
        tracked = false;
      }
      if (state === 'gone' || state === 'tracked') {
        await takeOverStaleLock(lockPath, text);
        continue;
      }
      if (state === 'elsewhere' && holder) {
        throw new DistLockedError(
          `dist/ is locked by manifold (pid ${holder.pid}) on ${holder.host} since ${holder.since}`,
          `if no manifold runs on ${holder.host} any more, delete ${lockPath}`,
        );
      }
      if (Date.now() > deadline) {
        throw new DistLockedError(
          holder ? `dist/ is still locked by manifold (pid ${holder.pid}) after ${waitMs / 1000} s` : `dist/ is locked (${lockPath} is being written)`,
          'wait for it to finish, or stop it',
        );
      }
      await sleep(POLL_MS);
    }
  }
  heldByThisProcess.add(distDir);
  try {
    return await work();
  } finally {
    heldByThisProcess.delete(distDir);
    await rm(lockPath, { force: true });
  }
}

/** The holder a lock file names; a bare pid is an older manifold's lock. */
function parseHolder(text: string): LockHolder | undefined {
  const trimmed = text.trim();
  if (/^[0-9]+$/.test(trimmed)) return { pid: Number(trimmed), host: hostname(), since: 'an earlier run' };
  try {
    const holder = JSON.parse(trimmed) as Partial<LockHolder>;
    if (typeof holder.pid === 'number' && typeof holder.host === 'string' && typeof holder.since === 'string') return holder as LockHolder;
  } catch {}
  return undefined;
}

/** `live`: wait for it; `gone`: take it over; `elsewhere`: another machine's, to report. */
function holderState(holder: LockHolder | undefined, lockPath: string): 'live' | 'gone' | 'elsewhere' {
  const age = Date.now() - (statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
  if (!holder) return age > UNWRITTEN_LOCK_MS ? 'gone' : 'live';
  if (holder.host !== hostname()) return age > FOREIGN_LOCK_MS ? 'gone' : 'elsewhere';
  // No manifold runs as pid 0, 1 or a negative one (kill(0|-1, 0) would answer for a whole group).
  if (!Number.isSafeInteger(holder.pid) || holder.pid < 2 || !isAlive(holder.pid)) return 'gone';
  // The pid lives, but if it started at another time it is another program that reused the pid. Where
  // start times are known, a lock without one cannot be a live manifold's (every manifold writes it).
  const start = processStart(holder.pid);
  if (start !== undefined && start !== holder.start) return 'gone';
  return 'live';
}

async function takeOverStaleLock(lockPath: string, seen: string): Promise<void> {
  // Move the lock aside first: only one contender wins the rename, so no one deletes a fresh lock.
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  const content = await readFile(aside, 'utf8').catch(() => '');
  if (content === seen) await rm(aside, { force: true });
  else await rename(aside, lockPath).catch(() => undefined);
}

/** Whether git tracks the lock file (a lock committed by mistake), false outside a git repository. */
function isTrackedByGit(lockPath: string): boolean {
  const listed = spawnSync('git', ['ls-files', '--error-unmatch', '--', basename(lockPath)], { cwd: dirname(lockPath), stdio: 'ignore', timeout: 10_000 });
  return listed.status === 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's start time (field 22 of /proc/<pid>/stat), or undefined where /proc is not there. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
