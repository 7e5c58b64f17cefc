/**
 * renovate.json at the repository root: Manifold owns the entries whose description starts with
 * "manifold:" and two list values it adds to; every other setting is the team's and kept as written.
 */
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import type { Environment } from '../config/load-environment.ts';
import { ConfigError } from '../errors/config-error.ts';
import { MANAGED_PREFIX, pinManager, pinRules } from './renovate-rules.ts';

/** The file Manifold maintains (Renovate reads the first config file it finds; this is its first choice). */
export const RENOVATE_FILE = 'renovate.json';

/** Renovate's own `ignorePaths` default, kept when the file sets none (setting the option replaces it). */
const RENOVATE_DEFAULT_IGNORE_PATHS = ['**/node_modules/**', '**/bower_components/**'];

/** The commits CI adds to a Renovate branch (the re-synthesized dist/) do not make Renovate stop updating it. */
const CI_BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

type Json = Record<string, unknown>;

/** The text renovate.json should have: `current` (undefined when there is none) with Manifold's entries brought up to date. */
export function renovateFileText(current: string | undefined, envs: readonly Environment[]): string {
  const config: Json = current === undefined ? { $schema: 'https://docs.renovatebot.com/renovate-schema.json' } : parseConfig(current);
  const ignorePaths = stringList(config.ignorePaths, 'ignorePaths') ?? RENOVATE_DEFAULT_IGNORE_PATHS;
  config.ignorePaths = ignorePaths.includes('dist/**') ? ignorePaths : [...ignorePaths, 'dist/**'];
  const ignoredAuthors = stringList(config.gitIgnoredAuthors, 'gitIgnoredAuthors') ?? [];
  config.gitIgnoredAuthors = ignoredAuthors.includes(CI_BOT_EMAIL) ? ignoredAuthors : [...ignoredAuthors, CI_BOT_EMAIL];
  config.customManagers = withManaged(config.customManagers, 'customManagers', [pinManager()]);
  config.packageRules = withManaged(config.packageRules, 'packageRules', pinRules(envs));
  return `${JSON.stringify(config, null, 2)}\n`;
}

function parseConfig(text: string): Json {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const [error] = errors;
  if (error) {
    const before = text.slice(0, error.offset).split('\n');
    throw new ConfigError({
      file: RENOVATE_FILE,
      line: before.length,
      col: (before.at(-1)?.length ?? 0) + 1,
      message: `is not valid JSON: ${printParseErrorCode(error.error)}`,
      hint: 'fix the JSON (renovate.json takes no comments or trailing commas), then run pnpm manifold renovate again',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw shapeError('the file', 'a JSON object');
  return value as Json;
}

/**
 * The list with Manifold's entries replaced by `managed`, where the first of them was (at the end when
 * there were none): the team's entries keep their places around them, so precedence does not change
 * (in Renovate, a later packageRule overrides an earlier one).
 */
function withManaged(value: unknown, key: string, managed: readonly unknown[]): unknown[] {
  if (value === undefined) return [...managed];
  if (!Array.isArray(value)) throw shapeError(`"${key}"`, 'a list');
  const isManaged = (entry: unknown) => typeof (entry as Json)?.description === 'string' && ((entry as Json).description as string).startsWith(MANAGED_PREFIX);
  const first = value.findIndex(isManaged);
  const at = first < 0 ? value.length : first;
  const before = value.slice(0, at).filter((entry) => !isManaged(entry));
  const after = value.slice(at).filter((entry) => !isManaged(entry));
  return [...before, ...managed, ...after];
}

function stringList(value: unknown, key: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) throw shapeError(`"${key}"`, 'a list of strings');
  return value as string[];
}

function shapeError(what: string, expected: string): ConfigError {
  return new ConfigError({
    file: RENOVATE_FILE,
    line: 1,
    col: 1,
    message: `${what} is not ${expected}`,
    hint: 'see https://docs.renovatebot.com/configuration-options/',
  });
}
