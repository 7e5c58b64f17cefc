/** Finds the workspace packages under apps/ and loads their app definitions. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppDefinition } from '@manifold/constructs';
import { ConfigError } from '../config/config-error.ts';
import { dnsLabel } from '../config/environment-schema.ts';

/** An app definition with the file it came from. */
export interface LoadedApp {
  readonly definition: AppDefinition;
  /** The module that exports the definition, relative to the repository root. */
  readonly file: string;
  /** The module's source text, to point errors at the right line. */
  readonly source: string;
}

/** Loads every `apps/<name>/` package below `root`, sorted by name. */
export async function loadApps(root: string): Promise<LoadedApp[]> {
  const entries = await readdir(join(root, 'apps'), { withFileTypes: true }).catch(() => []);
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const apps: LoadedApp[] = [];
  for (const folder of folders) {
    const entry = await packageEntry(root, folder);
    if (entry) apps.push(await loadApp(root, folder, entry));
  }
  return apps;
}

async function packageEntry(root: string, folder: string): Promise<string | undefined> {
  let manifest: { exports?: unknown; main?: string };
  try {
    manifest = JSON.parse(await readFile(join(root, 'apps', folder, 'package.json'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError({
      file: `apps/${folder}/package.json`,
      line: 1,
      col: 1,
      message: `cannot read package.json: ${(error as Error).message}`,
      hint: 'fix the JSON',
    });
  }
  const exported = typeof manifest.exports === 'string' ? manifest.exports : (manifest.exports as Record<string, unknown> | undefined)?.['.'];
  const entry = typeof exported === 'string' ? exported : (manifest.main ?? './src/index.ts');
  return join('apps', folder, entry).split('\\').join('/');
}

async function loadApp(root: string, folder: string, file: string): Promise<LoadedApp> {
  const source = await readFile(join(root, file), 'utf8');
  const module = (await import(pathToFileURL(join(root, file)).href)) as { default?: AppDefinition };
  const definition = module.default;
  if (!definition || typeof definition.build !== 'function' || typeof definition.name !== 'string' || !Array.isArray(definition.images)) {
    throw new ConfigError({
      file,
      line: 1,
      col: 1,
      message: 'expected a default export made with defineApp({ name, images, build })',
      hint: "add: export default defineApp({ ... }) from '@manifold/constructs'",
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
