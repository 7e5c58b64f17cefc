/** Validates parsed YAML against a zod schema, turning the first issue into a located ConfigError. */
import type { z } from 'zod';
import { ConfigError } from './config-error.ts';
import type { YamlSource } from './yaml-source.ts';

/** Returns the validated data of `source`, or throws a {@link ConfigError} at the offending node. */
export function validateSource<Schema extends z.ZodType>(source: YamlSource, schema: Schema, what: string): z.output<Schema> {
  const result = schema.safeParse(source.data ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new Error('zod reported a failure without issues');
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = String(issue.keys[0]);
    throw new ConfigError({
      ...source.positionOf([...path, key], 'key'),
      message: `unknown key "${key}" in ${what}${path.length ? ` at ${path.join('.')}` : ''}`,
      hint: 'check the spelling against the schema, or remove the key',
    });
  }
  const where = path.length ? `${path.join('.')}: ` : '';
  throw new ConfigError({
    ...source.positionOf(path),
    message: `${what}: ${where}${issue.message}`,
    hint:
      issue.code === 'invalid_type' && issue.input === undefined
        ? `add "${String(path.at(-1))}"`
        : 'correct the value; the JSON Schema in cli/schema/ lists what is allowed',
  });
}
