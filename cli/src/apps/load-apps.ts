/** Loads the repository's apps: every `apps/<name>/src/index.ts` default-exporting `defineApp(...)`. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppDefinition } from '@manifold/constructs/core';
import { dnsLabel } from '../config/environment-schema.ts';
import { ConfigError } from '../errors/config-error.ts';
import { locateInStack } from './run-app.ts';

/** An app definition with the file it came from. */
export interface LoadedApp {
  readonly definition: AppDefinition;
  /** The module that exports the definition, relative to the repository root. */
  readonly file: string;
  /** The module's source text, to point errors at the right line. */
  readonly source: string;
}

/** Loads an app module given its path relative to the repository root. */
export type AppImporter = (file: string) => Promise<unknown>;

/** An app found by its folder (`apps/<name>/src/index.ts`), not loaded yet. */
export interface AppEntry {
  /** The folder's name, which the app's name must equal. */
  readonly name: string;
  /** The entry module, relative to the repository root. */
  readonly file: string;
}

/** The name of the app whose entry file (`apps/<name>/src/index.ts`) is `file`. */
export function appNameOf(file: string): string {
  return file.split('/')[1] ?? '';
}

/**
 * The apps below `root` by convention, sorted by folder name, without loading them. `compiled`: the
 * app entry files the launcher found and compiled, which are those apps (no file is looked at again).
 */
export async function discoverApps(root: string, compiled?: Iterable<string>): Promise<AppEntry[]> {
  if (compiled) {
    const entries = [...compiled].map((file) => ({ name: appNameOf(file), file }));
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const folders = (await readdir(join(root, 'apps'), { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const found = await Promise.all(
    folders.map(async (name) => {
      const file = `apps/${name}/src/index.ts`;
      return (await stat(join(root, file)).catch(() => undefined))?.isFile() ? { name, file } : undefined;
    }),
  );
  return found.filter((entry): entry is AppEntry => entry !== undefined);
}

/** Loads one app: imports its module and checks that it default-exports an app named like its folder. */
export async function loadApp(root: string, importApp: AppImporter, { name, file }: AppEntry): Promise<LoadedApp> {
  const source = await readFile(join(root, file), 'utf8');
  let module: unknown;
  try {
    module = await importApp(file);
  } catch (error) {
    // The app's own code threw while its module was imported (outside build()): the app's mistake, located there.
    throw new ConfigError({
      file,
      ...(locateInStack(error, file) ?? { line: 1, col: 1 }),
      message: `app "${name}" failed to load: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
      hint: 'fix the code that runs when the module is imported (outside build()); --verbose prints the stack',
      cause: error,
    });
  }
  return checkApp(name, file, source, module as { default?: AppDefinition } | undefined);
}

function checkApp(folder: string, file: string, source: string, module: { default?: AppDefinition } | undefined): LoadedApp {
  const definition = module?.default;
  if (!definition || typeof definition.build !== 'function' || typeof definition.name !== 'string' || !Array.isArray(definition.images)) {
    throw new ConfigError({
      file,
      line: 1,
      col: 1,
      message: 'expected a default export made with defineApp({ name, images, build })',
      hint: "add: export default defineApp({ ... }) with defineApp from '@manifold/constructs/core'",
    });
  }
  if (!dnsLabel.safeParse(definition.name).success || definition.name !== folder) {
    throw new ConfigError({
      file,
      ...locateInSource(source, definition.name),
      message: `app name "${definition.name}" must be a DNS-1123 label equal to its folder name "${folder}"`,
      hint: `name the app "${folder}"`,
    });
  }
  return { definition, file, source };
}

/** Line and column of the first quoted occurrence of `text` in `source`, or 1:1. */
export function locateInSource(source: string, text: string): { line: number; col: number } {
  const candidates = [`'${text}'`, `"${text}"`, `\`${text}\``].map((quoted) => source.indexOf(quoted)).filter((index) => index >= 0);
  if (candidates.length === 0) return { line: 1, col: 1 };
  const offset = Math.min(...candidates);
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}
