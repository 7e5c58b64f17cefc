/** Every environment × image of a repository: what `pnpm images` prints and the release board shows. */
import { signerOf } from '../config/images-schema.ts';
import { type Environment, loadEnvironment } from '../config/load-environment.ts';
import { type EntryCache, YamlEntries } from '../config/yaml-entries.ts';
import { listEnvironments } from '../synth/synthesize.ts';
import { describeTrail } from './pin-trail.ts';

/** One pin of one environment, as people read it. */
export interface MatrixRow {
  /** `<app>/<image>`. */
  readonly image: string;
  readonly env: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string | null;
  /** `auto` (Flux moves it), `pinned` (fixed) or `held` (a rollback Flux may not undo). */
  readonly mode: 'auto' | 'pinned' | 'held';
  /** How far it trails the environment it is promoted from ('' when there is none). */
  readonly trails: string;
  /** The identity whose signature was checked when the pin was written (verify: rules), or null. */
  readonly verified: string | null;
}

/** The rows and the environments they come from, images sorted by name and environments in promotion order. */
export interface ImageMatrix {
  readonly rows: MatrixRow[];
  /** Every environment loaded, by name (those it is promoted from included). */
  readonly environments: ReadonlyMap<string, Environment>;
  /** The environments shown, in promotion order (dev before staging before prod). */
  readonly order: readonly string[];
}

/** The matrix of `only` (or every environment under overlays/), pins read from the parses synth keeps in `cache`. */
export async function imageMatrix(root: string, only?: string, cache?: EntryCache): Promise<ImageMatrix> {
  const entries = YamlEntries.reader(cache);
  const load = (env: string) => loadEnvironment(root, env, undefined, entries);
  const envs = await Promise.all((only ? [only] : await listEnvironments(root)).map(load));
  const byName = new Map(envs.map((env) => [env.name, env]));
  for (const env of envs) {
    if (env.promotesFrom && !byName.has(env.promotesFrom)) byName.set(env.promotesFrom, await load(env.promotesFrom));
  }
  const depth = (name: string, seen = new Set<string>()): number => {
    const from = byName.get(name)?.promotesFrom;
    return from && !seen.has(from) ? 1 + depth(from, seen.add(name)) : 0;
  };
  const byPromotion = (a: string, b: string) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
  const rows: MatrixRow[] = envs.flatMap((env) =>
    [...env.pins.values()].map((pin) => {
      const ahead = env.promotesFrom ? byName.get(env.promotesFrom)?.pins.get(`${pin.app}/${pin.image}`) : undefined;
      return {
        image: `${pin.app}/${pin.image}`,
        env: env.name,
        repository: pin.ref.repository,
        tag: pin.ref.tag,
        digest: pin.ref.digest ?? null,
        mode: pin.hold ? 'held' : pin.update ? 'auto' : 'pinned',
        trails: describeTrail(pin, ahead, env.promotesFrom ?? ''),
        verified: pin.source?.verified ? signerOf(pin.source.verified) : null,
      };
    }),
  );
  rows.sort((a, b) => (a.image !== b.image ? (a.image < b.image ? -1 : 1) : byPromotion(a.env, b.env)));
  return { rows, environments: byName, order: envs.map((env) => env.name).sort(byPromotion) };
}

/**
 * The promotion graph of the shown environments as paths from each environment promoted from none to
 * each that nothing is promoted from: dev → qa and dev → staging → prod when qa and staging both
 * promote from dev.
 */
export function promotionPaths(matrix: ImageMatrix): string[][] {
  const shown = new Set(matrix.order);
  const from = (env: string) => {
    const source = matrix.environments.get(env)?.promotesFrom;
    return source && shown.has(source) ? source : undefined;
  };
  const paths: string[][] = [];
  const walk = (path: string[]) => {
    const last = path.at(-1) as string;
    const next = matrix.order.filter((env) => from(env) === last && !path.includes(env));
    if (next.length === 0) paths.push(path);
    for (const env of next) walk([...path, env]);
  };
  for (const root of matrix.order.filter((env) => from(env) === undefined)) walk([root]);
  return paths;
}
