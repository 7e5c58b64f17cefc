/**
 * Splitting `synth --check` across CI runners: every environment is cut into units — one per app
 * folder, plus one for what the environment itself generates (`_environment/`, `_flux/`,
 * `_policy/`, `_delivery/`, the pin markers of its images.yaml) — and each unit belongs to exactly one of the
 * `count` shards, by a hash of its name, so adding an app moves no other unit.
 *
 * A shard renders only its units. The files that gather every unit (the kustomization and the
 * ownership index) are checked entry by entry: the entries of its own units as rendered, the others
 * as dist/ has them (their own shard checks those). So each difference of the whole check is found by
 * the shard that owns its unit, and only differences of the whole check are found.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import { parse } from 'yaml';
import { compareEnvironment, type DistDifference } from '../output/compare-dist.ts';
import type { DistTree } from '../output/dist-tree.ts';
import { KUSTOMIZATION_FILE } from '../render/kustomization.ts';
import { formatIndexEntries, INDEX_FILE, ownershipHash, parseIndex } from '../render/ownership-index.ts';
import type { RenderedEnvironment } from '../render/render-environment.ts';
import { emitYaml } from '../yaml/emit-yaml.ts';

/** Shard `index` of `count`, both counted from 1. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The unit of what an environment generates itself, apart from its apps. */
export const ENVIRONMENT_UNIT = '(environment)';

/** Parses `k/n` (1 ≤ k ≤ n ≤ 1000), for commander. */
export function parseShard(value: string): Shard {
  const match = /^([0-9]{1,4})\/([0-9]{1,4})$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count > 1000 || index > count) throw new InvalidArgumentError('expected k/n with 1 ≤ k ≤ n ≤ 1000, e.g. 2/4.');
  return { index, count };
}

/** The unit a file below dist/<env>/ belongs to: its app folder, or the environment's own unit. */
export function unitOfPath(path: string): string {
  const slash = path.indexOf('/');
  return slash <= 0 || path.startsWith('_') ? ENVIRONMENT_UNIT : path.slice(0, slash);
}

/** True when `shard` checks `unit` (an app name or {@link ENVIRONMENT_UNIT}) of `env`. */
export function ownsUnit(shard: Shard, env: string, unit: string): boolean {
  const hash = createHash('sha256').update(`${env}\0${unit}`).digest().readUInt32BE(0);
  return (hash % shard.count) + 1 === shard.index;
}

/** True when `shard` checks the file at `path` below dist/<env>/. */
export function ownsPath(shard: Shard, env: string, path: string): boolean {
  return ownsUnit(shard, env, unitOfPath(path));
}

/**
 * Compares the shard's part of `rendered` (rendered with only the shard's apps) with dist/<env>/:
 * its units' files, and the kustomization and index entries of its units.
 */
export function compareShard(distDir: string, rendered: RenderedEnvironment, tree: DistTree, shard: Shard): DistDifference {
  const env = rendered.env;
  const owned = (path: string) => ownsPath(shard, env, path);
  if (rendered.files.size === 0) return ownsUnit(shard, env, ENVIRONMENT_UNIT) ? compareEnvironment(distDir, rendered, tree) : emptyDifference();
  const expected = new Map([...rendered.files].filter(([path]) => owned(path) && path !== KUSTOMIZATION_FILE));
  const kustomization = rendered.files.get(KUSTOMIZATION_FILE);
  if (kustomization !== undefined) expected.set(KUSTOMIZATION_FILE, mergedKustomization(kustomization, tree, owned));
  const hashes = new Map([...expected].map(([path, bytes]) => [path, ownershipHash(bytes)]));
  for (const [path, hash] of parseIndex(tree.get(INDEX_FILE)?.toString('utf8') ?? '')) if (!owned(path) && path !== KUSTOMIZATION_FILE) hashes.set(path, hash);
  expected.set(INDEX_FILE, formatIndexEntries(hashes));
  const difference = compareEnvironment(distDir, rendered, tree, expected);
  const shown = (path: string) => owned(path.slice(`dist/${env}/`.length));
  return { ...difference, orphaned: difference.orphaned.filter(shown), foreign: difference.foreign.filter(shown) };
}

/** The rendered kustomization with the entries of other shards' units replaced by those in dist/. */
function mergedKustomization(rendered: string, tree: DistTree, owned: (path: string) => boolean): string {
  const document = parse(rendered) as { resources: string[] };
  const resources = [...document.resources.filter(owned), ...kustomizationResources(tree).filter((path) => !owned(path))];
  return emitYaml([{ ...document, resources: [...new Set(resources)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) }]);
}

/** The resources listed by dist/<env>/kustomization.yaml, or none when it is absent or not a kustomization. */
function kustomizationResources(tree: DistTree | undefined): string[] {
  try {
    const resources = (parse(tree?.get(KUSTOMIZATION_FILE)?.toString('utf8') ?? '') as { resources?: unknown } | null)?.resources;
    return Array.isArray(resources) ? resources.filter((path): path is string => typeof path === 'string') : [];
  } catch {
    return [];
  }
}

function emptyDifference(): DistDifference {
  return { stale: [], missing: [], orphaned: [], foreign: [] };
}
