/** Test helper: git run with a fixed test identity. */
import { execFileSync } from 'node:child_process';

/** Runs git in `cwd` with a fixed test identity and returns its output. */
export function git(cwd: string, ...args: string[]): string {
  return gitWith({}, cwd, ...args);
}

/** {@link git} with more environment variables (e.g. GIT_COMMITTER_DATE). */
export function gitWith(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'tester',
      GIT_AUTHOR_EMAIL: 'tester@example.com',
      GIT_COMMITTER_NAME: 'tester',
      GIT_COMMITTER_EMAIL: 'tester@example.com',
      ...env,
    },
  });
}
