/** Earlier pins from the git history of an environment's images.yaml, newest first. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { overlayFiles } from '../config/load-environment.ts';
import { readFileAtRevision, requireGitRepository } from '../git/git-revision.ts';

const run = promisify(execFile);

/** One reference a pin had, and the newest commit in which it had it. */
export interface HistoricPin {
  readonly ref: string;
  /** Full hash of the commit. */
  readonly commit: string;
}

/**
 * The distinct references `<app>/<image>` had in `env`, newest first, each with the newest commit
 * that held it. Versions of the file that cannot be read are skipped.
 */
export async function pinHistory(root: string, env: string, app: string, image: string): Promise<HistoricPin[]> {
  const file = overlayFiles(env).images;
  await requireGitRepository(
    root,
    `the history of ${file} comes from git`,
    `run it in a clone of the repository, or name the reference: pnpm rollback ${env} ${app}/${image} --to <ref>`,
  );
  const { stdout } = await run('git', ['log', '--format=%H', '--', file], { cwd: root, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stderr?: string }) => {
    throw new Error(`git log of ${file} failed: ${String(error.stderr ?? error).trim()}`);
  });
  const history: HistoricPin[] = [];
  for (const commit of stdout.split('\n').filter(Boolean)) {
    const text = await readFileAtRevision(root, commit, file);
    let ref: unknown;
    try {
      ref = (parse(text ?? '') as Record<string, Record<string, { ref?: unknown }>> | null)?.[app]?.[image]?.ref;
    } catch {
      continue;
    }
    if (typeof ref === 'string' && history.at(-1)?.ref !== ref && !history.some((earlier) => earlier.ref === ref)) history.push({ ref, commit });
  }
  return history;
}
