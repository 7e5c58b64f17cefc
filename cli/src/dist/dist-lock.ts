/** An exclusive lock on dist/ so that two synths never write at once. */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK_FILE = '.manifold.lock';
const POLL_MS = 50;

/** Raised when another live process holds the lock for longer than the wait allows. */
export class DistLockedError extends Error {
  constructor(readonly holder: number) {
    super(`dist/ is locked by another manifold process (pid ${holder})`);
    this.name = 'DistLockedError';
  }
}

// Locks this process holds, so that a command holding the lock can call code that takes it too.
const heldByThisProcess = new Set<string>();

/**
 * Runs `work` while holding `dist/.manifold.lock`. A lock left by a process that no longer
 * exists (killed mid-write) is taken over; a live holder is waited for up to `waitMs`.
 * Re-entrant within one process.
 */
export async function withDistLock<T>(distDir: string, work: () => Promise<T>, waitMs = 60_000): Promise<T> {
  if (heldByThisProcess.has(distDir)) return work();
  await mkdir(distDir, { recursive: true });
  const lockPath = join(distDir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && !isAlive(holder)) {
        await takeOverStaleLock(lockPath, holder);
        continue;
      }
      if (Date.now() > deadline) throw new DistLockedError(holder);
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

async function takeOverStaleLock(lockPath: string, holder: number): Promise<void> {
  // Move the lock aside first: only one contender wins the rename, so no one deletes a fresh lock.
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  const content = Number.parseInt(await readFile(aside, 'utf8').catch(() => ''), 10);
  if (content === holder || !isAlive(content)) await rm(aside, { force: true });
  else await rename(aside, lockPath).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
