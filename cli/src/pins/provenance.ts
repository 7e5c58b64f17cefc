/** Provenance for a pin from the CI environment that sets it (GitHub Actions, GitLab CI, or none). */
import type { PinSource } from '../config/images-schema.ts';

/** A source record of kind `by`, with commit, run and actor taken from the CI environment when there is one. */
export function provenance(by: PinSource['by'], env: NodeJS.ProcessEnv = process.env, extra: Partial<PinSource> = {}): PinSource {
  const commit = env.GITHUB_SHA ?? env.CI_COMMIT_SHA;
  const run = env.GITHUB_RUN_ID ?? env.CI_PIPELINE_ID;
  const actor = env.GITHUB_ACTOR ?? env.GITLAB_USER_LOGIN;
  return { by, ...(commit ? { commit: commit.slice(0, 40) } : {}), ...(run ? { run } : {}), ...(actor ? { actor } : {}), ...extra };
}

/** `ci` inside a CI system (CI=true), else `manual`. */
export function defaultSetter(env: NodeJS.ProcessEnv = process.env): 'ci' | 'manual' {
  return env.CI === 'true' || env.CI === '1' ? 'ci' : 'manual';
}
