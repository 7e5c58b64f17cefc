/**
 * Runs an app's code and turns whatever it throws (an Error, a string, anything) into a user error
 * at the app's own source line, found through the source-mapped stack.
 */
import { ConfigError } from '../errors/config-error.ts';
import type { LoadedApp } from './load-apps.ts';

/** Thrown when an app altered a pinned value instead of using it as it is. */
export class AlteredPinnedValueError extends Error {}

/**
 * Calls `build` (the app's code, run for environment `envName`) and returns its result; a throw
 * becomes a ConfigError pointing into the app and naming the environment, as an app may fail in one only.
 */
export function runApp<T>(app: LoadedApp, envName: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : `threw ${describeThrown(error)}`;
    throw new ConfigError({
      ...(locateInStack(error, app.file) ?? locateBuild(app.source)),
      file: app.file,
      message: `app "${app.definition.name}" failed to build in ${envName}: ${firstLine(message)}`,
      hint:
        error instanceof AlteredPinnedValueError
          ? 'use env.image() and env.imageField() values whole; they are replaced by the pinned text after build()'
          : 'fix the app or the value it passes to a construct; run with --verbose to see the stack',
      cause: error,
    });
  }
}

/** Line and column of the first stack frame inside `file` (a path relative to the root). */
export function locateInStack(error: unknown, file: string): { line: number; col: number } | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  if (!stack) return undefined;
  for (const frame of stack.split('\n').slice(1)) {
    const match = /([^\s(]+):([0-9]+):([0-9]+)\)?$/.exec(frame.trim());
    if (match && (match[1] as string).replaceAll('\\', '/').endsWith(`/${file}`)) return { line: Number(match[2]), col: Number(match[3]) };
  }
  return undefined;
}

/** Where the app's `build` starts, for a throw without a stack. */
function locateBuild(source: string): { line: number; col: number } {
  const offset = source.search(/\bbuild\s*\(/);
  if (offset < 0) return { line: 1, col: 1 };
  const before = source.slice(0, offset);
  return { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') };
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() || '(no message)';
}

function describeThrown(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
