/** Validates parsed YAML against a zod schema, turning the first issue into a located ConfigError. */
import type { z } from 'zod';
import { ConfigError } from '../errors/config-error.ts';
import type { YamlSource } from './yaml-source.ts';

type Path = (string | number)[];

/** Returns the validated data of `source`, or throws a {@link ConfigError} at the offending node. */
export function validateSource<Schema extends z.ZodType>(source: YamlSource, schema: Schema, what: string): z.output<Schema> {
  const result = schema.safeParse(source.data ?? {});
  if (result.success) return result.data;
  const found = innermost(result.error.issues, []);
  if (!found) throw new Error('zod reported a failure without issues');
  const { issue, path } = found;
  if (issue.code === 'unrecognized_keys') {
    const key = String(issue.keys[0]);
    throw new ConfigError({
      ...source.positionOf([...path, key], 'key'),
      message: `unknown key "${key}" in ${what}${path.length ? ` at ${path.join('.')}` : ''}`,
      hint: 'check the spelling against the schema, or remove the key',
    });
  }
  const where = path.length ? `${path.join('.')}: ` : '';
  const missing = issue.code === 'invalid_type' && valueAt(source.data, path) === undefined && typeof path.at(-1) === 'string';
  throw new ConfigError({
    ...source.positionOf(path),
    message: `${what}: ${where}${missing ? 'missing' : issue.message}`,
    hint: missing ? `add "${String(path.at(-1))}"` : 'correct the value; the JSON Schema in cli/schema/ lists what is allowed',
  });
}

/**
 * The issue to report and its full path. A union that failed as a whole (`delivery: argocd` or a
 * `delivery:` block) reports the issue of the branch that got furthest, so a wrong value deep in a
 * block is named rather than the block.
 */
function innermost(issues: readonly z.core.$ZodIssue[], prefix: Path): { issue: z.core.$ZodIssue; path: Path } | undefined {
  const [issue] = issues;
  if (!issue) return undefined;
  const path = [...prefix, ...issue.path.filter((part): part is string | number => typeof part !== 'symbol')];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { issue, path };
  const branches = issue.errors
    .map((branch) => innermost(branch, path))
    .filter((branch): branch is { issue: z.core.$ZodIssue; path: Path } => branch !== undefined);
  const deepest = branches.reduce<(typeof branches)[number] | undefined>(
    (best, branch) => (!best || branch.path.length > best.path.length ? branch : best),
    undefined,
  );
  return deepest && deepest.path.length > path.length ? deepest : { issue, path };
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined),
    data,
  );
}
