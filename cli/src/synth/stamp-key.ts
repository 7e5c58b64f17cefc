/**
 * The stamp key of an environment: a hash of every input its render depends on (the code hashes of
 * all apps and the CLI, the environment's overlay files, the CRD schemas, the trust files its rules
 * name). A stamp recorded for the same key, over files nobody touched, shows the environment current
 * (environment-stamps.ts).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { overlayFiles } from '../config/load-environment.ts';
import type { RenderCacheSettings } from '../render/render-cache.ts';
import { CRD_SCHEMA_FOLDER } from '../validate/crd-schemas.ts';
import { FORMAT } from './environment-stamps.ts';

/** The hash of every input of `env`, or undefined when renders are not cached (then there are no stamps). */
export async function stampKey(root: string, env: string, settings: RenderCacheSettings | undefined, imagesText?: string): Promise<string | undefined> {
  if (!settings) return undefined;
  const files = overlayFiles(env);
  const read = (path: string) => readFile(join(root, path), 'utf8').catch(() => null);
  const schemaNames = (await readdir(join(root, CRD_SCHEMA_FOLDER)).catch(() => [] as string[])).sort();
  const schemas = await Promise.all(schemaNames.map(async (name) => [name, await read(`${CRD_SCHEMA_FOLDER}/${name}`)]));
  const environment = await read(files.environment);
  const trust = await Promise.all(trustFiles(environment).map(async (file) => [file, await read(file)]));
  const inputs = [FORMAT, codeDigest(settings), env, environment, imagesText ?? (await read(files.images)), schemas, trust];
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

const codeDigests = new WeakMap<RenderCacheSettings, string>();

/** A hash of the code of this build (the shared code and every app's), the same for every environment: taken once. */
function codeDigest(settings: RenderCacheSettings): string {
  let digest = codeDigests.get(settings);
  if (digest === undefined) {
    const apps = [...settings.appHashes].sort(([a], [b]) => (a < b ? -1 : 1));
    digest = createHash('sha256')
      .update(JSON.stringify([settings.sharedHash, apps]))
      .digest('hex');
    codeDigests.set(settings, digest);
  }
  return digest;
}

/** The trust files an environment.yaml names (its trusted root, its rules' public keys): the admission policy carries their contents. */
function trustFiles(environment: string | null): string[] {
  if (environment === null || !/^\s*(-\s+)?(trustedRoot|key):/m.test(environment)) return [];
  try {
    const config = parse(environment) as { trustedRoot?: unknown; verify?: { key?: unknown }[] } | null;
    const named = [config?.trustedRoot, ...(Array.isArray(config?.verify) ? config.verify.map((rule) => rule?.key) : [])];
    return named.filter((file): file is string => typeof file === 'string' && !file.startsWith('/') && !file.split('/').includes('..')).sort();
  } catch {
    return [];
  }
}
