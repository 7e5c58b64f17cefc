/**
 * The stamp key of an environment: a hash of every input its render depends on (the code hashes of
 * the CLI and of the apps it deploys, the names of all apps, the environment's overlay files, the CRD
 * schemas, the trust files its rules name). A stamp recorded for the same key, over files nobody
 * touched, shows the environment current (environment-stamps.ts).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { appNameOf } from '../apps/load-apps.ts';
import { listedApps } from '../config/apps-list.ts';
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
  const inputs = [
    FORMAT,
    codeDigest(settings, environment === null ? undefined : listedApps(environment)),
    env,
    environment,
    imagesText ?? (await read(files.images)),
    schemas,
    trust,
  ];
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

/** Per build: its app entry files, sorted, and the code digests taken so far, by set of apps. */
const codeDigests = new WeakMap<RenderCacheSettings, { readonly files: readonly string[]; readonly digests: Map<string, string> }>();

/**
 * A hash of the code an environment's render runs: the shared code, the code of the apps it may
 * deploy (`deployed`; undefined: every app) and the names of all apps (an apps: list naming an app
 * that is gone is an error). An app the environment does not deploy is never loaded for it, so
 * editing it leaves the environment's stamp standing. Taken once per set of apps.
 */
function codeDigest(settings: RenderCacheSettings, deployed: ReadonlySet<string> | undefined): string {
  const known = codeDigests.get(settings) ?? { files: [...settings.appHashes.keys()].sort(), digests: new Map<string, string>() };
  codeDigests.set(settings, known);
  const { files, digests } = known;
  const included = deployed === undefined ? files : files.filter((file) => deployed.has(appNameOf(file)));
  const set = deployed === undefined ? '*' : included.join('\n');
  let digest = digests.get(set);
  if (digest === undefined) {
    const code = included.map((file) => [file, settings.appHashes.get(file)]);
    digest = createHash('sha256')
      .update(JSON.stringify([settings.sharedHash, files, code]))
      .digest('hex');
    digests.set(set, digest);
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
