/**
 * What the release board shows, read from the repository alone: the environment × image matrix with
 * each pin's age and provenance, each pin's history from git, the Flux update branches waiting to be
 * merged, and (from reports given to it) where an environment's pins differ from Pulumi ESC.
 */
import { readFile } from 'node:fs/promises';
import { ImageRef } from '@manifold/constructs/core';
import { parse } from 'yaml';
import { type PinSource, pinSourceSchema } from '../config/images-schema.ts';
import { overlayFiles } from '../config/load-environment.ts';
import type { EntryCache } from '../config/yaml-entries.ts';
import { ConfigError } from '../errors/config-error.ts';
import { ArgumentError } from '../errors/manifold-error.ts';
import { commitsAhead, type FileCommit, fileCommits, listRefs, originUrl, readFileAtRevision } from '../git/git-revision.ts';
import { imageMatrix, type MatrixRow, promotionPaths } from '../pins/image-matrix.ts';

/** One cell of the matrix: the row of `pnpm images --json` with when and by whom the pin was set. */
export interface BoardCell extends MatrixRow {
  /** When the image was built (a sortable tag's timestamp) or the pin was set (its commit), ISO 8601 UTC. */
  readonly since: string | null;
  readonly sinceFrom: 'tag' | 'commit' | null;
  /** The provenance recorded with the pin. */
  readonly source: PinSource | null;
  /** The commit that set the pin as it is now, when it is committed. */
  readonly commit: string | null;
}

/** What happened to a pin in one commit. */
export interface HistoryEvent {
  readonly image: string;
  readonly env: string;
  readonly commit: string;
  readonly date: string;
  readonly author: string;
  readonly tag: string;
  readonly digest: string | null;
  /** `set` (a new reference), `rollback`, `promote`, `flux`, `hold` (held without moving), `release` (hold lifted). */
  readonly event: 'set' | 'rollback' | 'promote' | 'flux' | 'hold' | 'release';
  readonly by: PinSource['by'] | null;
}

/** A Flux image-update branch ahead of the base, with the pins it moves. */
export interface WaitingBranch {
  readonly ref: string;
  readonly env: string;
  readonly ahead: number;
  readonly changes: { readonly image: string; readonly from: string | null; readonly to: string }[];
}

/** Pins of one environment that differ from its ESC environment (from `esc pull <env> --check --json`). */
export interface EscDrift {
  readonly env: string;
  readonly differing: { readonly image: string; readonly pin: string; readonly esc: string }[];
}

/** Everything the page shows. */
export interface BoardData {
  /** Environments in promotion order. */
  readonly environments: readonly string[];
  /** The promotion graph as paths, e.g. [[dev, qa], [dev, staging, prod]]. */
  readonly promotionPaths: readonly (readonly string[])[];
  readonly images: readonly string[];
  readonly cells: readonly BoardCell[];
  readonly history: readonly HistoryEvent[];
  readonly waiting: readonly WaitingBranch[];
  readonly drift: readonly EscDrift[];
  /** URL of a commit with `{sha}` for its hash, when commits can be linked. */
  readonly commitUrl: string | null;
  /** Given only when asked for, so that the page is otherwise the same for the same repository state. */
  readonly generatedAt: string | null;
}

/** How the board is gathered. */
export interface BoardOptions {
  /** The revision waiting branches are compared with (default HEAD). */
  readonly base?: string;
  /** Commits of each images.yaml to read for the history (default 200). */
  readonly historyLimit?: number;
  /** `esc pull <env> --check --json` outputs, by environment. */
  readonly driftReports?: ReadonlyMap<string, string>;
  /** A commit URL with `{sha}`; by default derived from a GitHub `origin`. */
  readonly commitUrl?: string;
  readonly generatedAt?: string;
  /** Where synth keeps its parses of images.yaml entries (the pins are read from them). */
  readonly cache?: EntryCache;
}

const FLUX_BRANCH_PREFIX = 'flux/image-updates/';
const SORTABLE_TAG = /-([0-9]{10})$/;

/** Reads the board of the repository at `root`. */
export async function readBoard(root: string, options: BoardOptions = {}): Promise<BoardData> {
  const matrix = await imageMatrix(root, undefined, options.cache);
  const environments = matrix.order;
  const history = (await Promise.all(environments.map((env) => pinEvents(root, env, options.historyLimit ?? 200)))).flat();
  const cells = matrix.rows.map((row): BoardCell => {
    const pin = matrix.environments.get(row.env)?.pins.get(row.image);
    // The commit that set the reference as it is now (none while the change is not committed).
    const current = lastSetting(
      history.filter((event) => event.env === row.env && event.image === row.image),
      row,
    );
    const timestamp = SORTABLE_TAG.exec(row.tag)?.[1];
    return {
      ...row,
      since: timestamp ? new Date(Number(timestamp) * 1000).toISOString() : (current?.date ?? null),
      sinceFrom: timestamp ? 'tag' : current ? 'commit' : null,
      source: pin?.source ?? null,
      commit: current?.commit ?? null,
    };
  });
  return {
    environments,
    promotionPaths: promotionPaths(matrix),
    images: [...new Set(matrix.rows.map((row) => row.image))],
    cells,
    history,
    waiting: await waitingBranches(root, options.base ?? 'HEAD'),
    drift: [...(options.driftReports ?? new Map())].map(([env, report]) => readDrift(env, report)).sort((a, b) => (a.env < b.env ? -1 : 1)),
    commitUrl: options.commitUrl ?? githubCommitUrl(await originUrl(root)),
    generatedAt: options.generatedAt ?? null,
  };
}

/** The newest event that moved the pin, when it moved it to the reference `row` shows (holds and releases move nothing). */
function lastSetting(events: readonly HistoryEvent[], row: MatrixRow): HistoryEvent | undefined {
  const setting = events.filter((event) => event.event !== 'hold' && event.event !== 'release').at(-1);
  return setting && setting.tag === row.tag && setting.digest === row.digest ? setting : undefined;
}

interface PinState {
  readonly ref: string;
  readonly hold: boolean;
  readonly by: PinSource['by'] | null;
}

/** The history of every pin of `env`, oldest first, from the last `limit` commits of its images.yaml. */
async function pinEvents(root: string, env: string, limit: number): Promise<HistoryEvent[]> {
  const file = overlayFiles(env).images;
  const commits = await fileCommits(root, file, limit).catch(() => [] as FileCommit[]);
  const events: HistoryEvent[] = [];
  let previous = new Map<string, PinState>();
  for (const { commit, date, author } of [...commits].reverse()) {
    const pins = readPins(await readFileAtRevision(root, commit, file));
    if (!pins) continue;
    for (const [image, state] of pins) {
      const before = previous.get(image);
      const event = eventOf(before, state);
      if (!event) continue;
      const [name = '', digest] = state.ref.split('@');
      events.push({
        image,
        env,
        commit,
        date: new Date(date).toISOString(),
        author,
        tag: name.slice(name.lastIndexOf(':') + 1),
        digest: digest ?? null,
        event,
        by: state.by,
      });
    }
    previous = pins;
  }
  return events;
}

function eventOf(before: PinState | undefined, after: PinState): HistoryEvent['event'] | undefined {
  if (before?.ref === after.ref) {
    if (before.hold === after.hold) return undefined;
    return after.hold ? 'hold' : 'release';
  }
  if (after.by === 'rollback' || after.by === 'promote' || after.by === 'flux') return after.by;
  return 'set';
}

const PIN_SETTERS: ReadonlySet<string> = new Set(pinSourceSchema.shape.by.options);

/** Shown for a reference from git that images.yaml's rules refuse: what a branch or old commit says is never shown as it is. */
export const INVALID_REF = '(invalid reference)';

/** `ref` when it is an image reference as images.yaml accepts it, else {@link INVALID_REF}. */
function checkedRef(ref: string): string {
  try {
    ImageRef.parseTagged(ref);
    return ref;
  } catch {
    return INVALID_REF;
  }
}

/** `app/image` → state from an images.yaml text; undefined when it cannot be read. */
function readPins(text: string | undefined): Map<string, PinState> | undefined {
  let document: unknown;
  try {
    document = parse(text ?? '');
  } catch {
    return undefined;
  }
  const pins = new Map<string, PinState>();
  if (typeof document !== 'object' || document === null) return pins;
  for (const [app, images] of Object.entries(document as Record<string, unknown>)) {
    if (typeof images !== 'object' || images === null) continue;
    for (const [image, pin] of Object.entries(images as Record<string, unknown>)) {
      const { ref, hold, source } = (pin ?? {}) as { ref?: unknown; hold?: unknown; source?: { by?: unknown } };
      if (typeof ref !== 'string') continue;
      const by = typeof source?.by === 'string' && PIN_SETTERS.has(source.by) ? (source.by as PinSource['by']) : null;
      pins.set(`${app}/${image}`, { ref: checkedRef(ref), hold: hold === true, by });
    }
  }
  return pins;
}

/** Local and remote `flux/image-updates/<env>` branches ahead of `base`, with the pins each moves. */
async function waitingBranches(root: string, base: string): Promise<WaitingBranch[]> {
  const refs = await listRefs(root, [`refs/heads/${FLUX_BRANCH_PREFIX}`, `refs/remotes/*/${FLUX_BRANCH_PREFIX}`]).catch(() => []);
  const waiting: WaitingBranch[] = [];
  for (const ref of refs) {
    const env = ref.slice(ref.lastIndexOf('/') + 1);
    const ahead = await commitsAhead(root, base, ref).catch(() => 0);
    if (ahead === 0) continue;
    const file = overlayFiles(env).images;
    const [now, then] = await Promise.all([readFileAtRevision(root, base, file), readFileAtRevision(root, ref, file)]);
    const [before, after] = [readPins(now) ?? new Map<string, PinState>(), readPins(then) ?? new Map<string, PinState>()];
    const changes = [...after]
      .filter(([image, state]) => before.get(image)?.ref !== state.ref)
      .map(([image, state]) => ({ image, from: before.get(image)?.ref ?? null, to: state.ref }))
      .sort((a, b) => (a.image < b.image ? -1 : 1));
    waiting.push({ ref: ref.replace(/^refs\/(heads|remotes)\//, ''), env, ahead, changes });
  }
  return waiting;
}

/** A drift report (`esc pull <env> --check --json`), checked for shape. */
function readDrift(env: string, report: string): EscDrift {
  const parsed = JSON.parse(report) as { differing?: unknown } | null;
  if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.differing))
    throw new Error('expected the output of pnpm manifold esc pull <env> --check --json: {"differing": [...]}');
  const differing = parsed.differing.map((entry) => {
    const { image, pin, esc } = (entry ?? {}) as Record<string, unknown>;
    if (typeof image !== 'string' || typeof pin !== 'string' || typeof esc !== 'string')
      throw new Error('each differing entry needs image, pin and esc strings');
    return { image, pin, esc };
  });
  return { env, differing };
}

/** `https://github.com/<owner>/<repo>/commit/{sha}` for a GitHub origin (HTTPS or SSH), else null. */
export function githubCommitUrl(origin: string | undefined): string | null {
  const match = /^(?:https:\/\/github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(origin ?? '');
  return match ? `https://github.com/${match[1]}/${match[2]}/commit/{sha}` : null;
}

/**
 * The drift reports named on the command line (`<env>=<file>`), read and checked: each file must hold
 * the JSON `esc pull <env> --check --json` prints, for an environment of the repository.
 */
export async function readDriftFiles(entries: readonly string[], environments: readonly string[]): Promise<Map<string, string>> {
  const reports = new Map<string, string>();
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    const [env, file] = [entry.slice(0, separator), entry.slice(separator + 1)];
    const refuse = (message: string, position = { line: 1, col: 1 }) =>
      new ConfigError({ file, ...position, message, hint: `give the output of: pnpm manifold esc pull ${env} --check --json > ${file}` });
    if (!environments.includes(env)) {
      throw new ArgumentError('--drift', `no environment "${env}"`, `environments: ${environments.join(', ')}`);
    }
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw refuse(`cannot be read (${error.code ?? error.message})`);
    });
    try {
      readDrift(env, text);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw refuse((error as Error).message);
      const offset = Number(/position ([0-9]+)/.exec(error.message)?.[1] ?? 0);
      const before = text.slice(0, offset);
      throw refuse(`is not JSON: ${error.message.split('\n')[0]}`, { line: before.split('\n').length, col: offset - before.lastIndexOf('\n') });
    }
    reports.set(env, text);
  }
  return reports;
}
