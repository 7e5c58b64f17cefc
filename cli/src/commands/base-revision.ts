/** The `--base <revision>` option of the commands that compare with a git revision. */
import { ArgumentError } from '../errors/manifold-error.ts';
import { requireGitRepository, resolveCommit } from '../git/git-revision.ts';

/** The commit `revision` names, or a one-line error saying how to make it available. */
export async function baseCommit(root: string, revision: string): Promise<string> {
  await requireGitRepository(
    root,
    `--base ${revision} compares with a git revision`,
    'run it in a clone of the repository (git clone), or git init and commit first',
  );
  const commit = await resolveCommit(root, revision);
  if (commit) return commit;
  throw new ArgumentError(
    '--base',
    `"${revision}" is not a commit of this repository`,
    'fetch it first, e.g. git fetch origin main, and pass a branch, tag or commit',
  );
}
