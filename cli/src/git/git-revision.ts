/** Reads files as they were at a git revision, with the real git. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The content of `path` at `revision` in the repository at `root`, or undefined when it did not exist there. */
export async function readFileAtRevision(root: string, revision: string, path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['show', `${revision}:${path}`], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    if (/does not exist|exists on disk, but not in/.test(stderr)) return undefined;
    throw new Error(`git show ${revision}:${path} failed: ${stderr.trim() || (error as Error).message}`);
  }
}

/** True when `revision` names a commit in the repository at `root`. */
export async function revisionExists(root: string, revision: string): Promise<boolean> {
  return run('git', ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], { cwd: root }).then(
    () => true,
    () => false,
  );
}
