/** `manifold flux simulate <env> --set <policy>=<tag>[@<digest>]…`: run Flux's image update locally. */

import { statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { readEnvironment } from '../config/load-environment.ts';
import { ConfigError } from '../errors/config-error.ts';
import { ArgumentError } from '../errors/manifold-error.ts';
import { type StagedFile, stageFile } from '../files/replace-file.ts';
import { assertRealPath } from '../files/repository-paths.ts';
import { commitMessage } from '../flux/commit-message.ts';
import { automationName, MESSAGE_TEMPLATE } from '../flux/image-automation-objects.ts';
import { type PolicyUpdate, parsePolicyUpdate, simulateFluxUpdate } from '../flux/simulate-environment.ts';
import { ControllerFailure, runSetters, type SetterRun } from '../flux/simulate-setters.ts';
import { GoTemplateError } from '../go/go-template.ts';
import type { LatestImageRef } from '../markers/setter-markers.ts';
import { unifiedDiff } from '../output/compare-dist.ts';
import { withDistLock } from '../output/dist-lock.ts';
import type { CliIo } from './cli-io.ts';
import { repeatable } from './option-values.ts';

/** Adds the flux command group to `program`. */
export function registerFlux(program: Command, io: CliIo): void {
  const flux = program.command('flux').description('Flux image automation tools.');
  flux
    .command('simulate')
    .description(
      'Show (or --write) exactly what Flux commits when policies report new tags. Example: pnpm manifold flux simulate dev --set dev-web-web=main-4e5f6a7-1732160000@sha256:…',
    )
    .argument('[env]', 'environment whose ImageUpdateAutomation runs (or --path for any directory)')
    .option('--path <dir>', 'simulate on any directory, Manifold repository or not, with the policies given by --policy')
    .option('--policy <ns:name=image:tag[@digest]>', 'with --path: an ImagePolicy and the latest image it reports; repeatable', repeatable, [])
    .option('--message-template <file>', "with --path: the automation's spec.git.commit.messageTemplate (default: the controller's)")
    .option('--automation <namespace/name>', 'with --path: the ImageUpdateAutomation the template names', 'flux-system/flux-system')
    .option('--template-value <key=value>', 'with --path: an entry of messageTemplateValues; repeatable', repeatable, [])
    .option('--set <policy=tag[@digest]>', 'a policy (name or app/image) and the image it reports; repeatable', repeatable, [])
    .option('--tags <policy=tag[@digest],…>', 'tags the registry lists for a policy: it picks among them as the ImagePolicy would; repeatable', repeatable, [])
    .option('--write', 'write the files as the Flux commit would')
    .option('--json', 'print the changes as JSON')
    .action(async (envName: string | undefined, options: SimulateOptions) => {
      if (options.path !== undefined || envName === undefined) {
        await simulateDirectory(io, envName, options);
        return;
      }
      const root = io.root();
      // Writing is a pin-moving transaction like any other: under the dist lock, from the environment as it is then.
      const simulate = () => simulateEnvironment(io, root, envName, options);
      if (options.write) await withDistLock(join(root, 'dist'), simulate);
      else await simulate();
    });
}

/** The environment mode: what Flux's automation of `envName` would commit, printed, or (--write) written. */
async function simulateEnvironment(io: CliIo, root: string, envName: string, options: SimulateOptions): Promise<void> {
  const env = await readEnvironment(root, envName, io.run.renderCache);
  const candidates = new Map([...parseSets(options.tags, '--tags', true)].map(([policy, updates]) => [policy, updates]));
  const sets = new Map([...parseSets(options.set, '--set', false)].map(([policy, [update]]) => [policy, update as PolicyUpdate]));
  const run = asConfigError(
    () => simulateFluxUpdate(root, env, sets, candidates),
    (file) => file,
  );
  const automation = { namespace: env.flux.namespace, name: automationName(env.name) };
  const message = run.changes.length > 0 ? commitMessage(MESSAGE_TEMPLATE, { automation, changes: run.changes }) : undefined;
  await reportOrWrite(io, run, message, options, { base: root, shown: (path) => path, withSetter: false });
}

/**
 * Prints what a simulated Flux commit changes (as JSON, or each change, the commit message and the
 * diff), or with --write writes it below `base` (see {@link writeSetterFiles}).
 */
async function reportOrWrite(
  io: CliIo,
  run: SetterRun,
  message: string | undefined,
  options: SimulateOptions,
  where: { readonly base: string; readonly shown: (path: string) => string; readonly withSetter: boolean },
): Promise<void> {
  if (options.json) io.out(JSON.stringify({ changes: run.changes, files: [...run.files.keys()], commitMessage: message ?? null }, null, 2));
  else if (!message) io.out('Flux would commit nothing');
  else {
    for (const change of run.changes) io.out(`${change.file}: ${change.oldValue} -> ${change.newValue}${where.withSetter ? ` (${change.setter})` : ''}`);
    io.out(`commit message:\n${message}`);
    if (!options.write) for (const [path, text] of run.files) io.out(unifiedDiff(path, await readFile(join(where.base, path), 'utf8').catch(() => ''), text));
  }
  if (options.write) {
    await writeSetterFiles(where.base, run.files, where.shown);
    if (!options.json) io.out(`wrote ${run.files.size} file(s)`);
  }
}

interface SimulateOptions {
  readonly set: string[];
  readonly tags: string[];
  readonly policy: string[];
  readonly messageTemplate?: string;
  readonly automation: string;
  readonly templateValue: string[];
  readonly path?: string;
  readonly write?: boolean;
  readonly json?: boolean;
}

/**
 * The standalone mode: runs the controller's setters over `--path` with the `--policy` results, prints
 * each change, the commit message the controller writes (its default template) and the diff, or writes the files.
 */
async function simulateDirectory(io: CliIo, envName: string | undefined, options: SimulateOptions): Promise<void> {
  if (envName !== undefined || options.path === undefined || options.set.length > 0 || options.tags.length > 0 || options.policy.length === 0) {
    io.err('error: give either <env> (with --set/--tags) or --path <dir> with at least one --policy <ns:name=image:tag[@digest]>');
    io.exit(2);
    return;
  }
  const base = resolve(options.path);
  if (!statSync(base, { throwIfNoEntry: false })) {
    throw new ArgumentError('--path', `${options.path} does not exist`, 'give the folder Flux updates (its update.path)');
  }
  const policies = new Map(options.policy.map(parsePolicyResult));
  const run = asConfigError(
    () => runSetters(base, '.', policies),
    (file) => relative(process.cwd(), join(base, file)),
  );
  const message = run.changes.length > 0 ? await renderCommitMessage(run.changes, options) : undefined;
  await reportOrWrite(io, run, message, options, { base, shown: (path) => relative(process.cwd(), join(base, path)), withSetter: true });
}

/**
 * Writes what a simulated Flux commit changes, all or nothing: every path must stay below `base` with
 * no symbolic link on the way (a List item's name or namespace may say `../..`), every file is staged
 * beside its place first, and only then are they renamed in.
 */
async function writeSetterFiles(base: string, files: ReadonlyMap<string, string>, shown: (path: string) => string): Promise<void> {
  for (const path of files.keys()) {
    const inside = relative(base, resolve(base, path));
    if (inside.startsWith('..') || isAbsolute(inside)) {
      throw new ConfigError({
        file: shown(path),
        line: 1,
        col: 1,
        message: 'the update would write this file outside the update path (a List item names it with "..")',
        hint: 'give the List item a plain name and namespace; nothing was written',
      });
    }
    assertRealPath(base, inside);
  }
  const staged: StagedFile[] = [];
  try {
    for (const [path, text] of files) {
      await mkdir(dirname(join(base, path)), { recursive: true });
      staged.push(await stageFile(join(base, path), text));
    }
    for (const file of staged) await file.commit();
  } finally {
    for (const file of staged) await file.discard();
  }
}

/** The controller's commit message for `changes`, from --message-template, --automation and --template-value. */
async function renderCommitMessage(changes: SetterRun['changes'], options: SimulateOptions): Promise<string> {
  const [namespace = '', name = '', extra] = options.automation.split('/');
  if (!namespace || !name || extra !== undefined) {
    throw new ArgumentError('--automation', `"${options.automation}" is not <namespace>/<name>`, 'for example: --automation flux-system/apps');
  }
  const values = new Map(
    options.templateValue.map((entry) => {
      const separator = entry.indexOf('=');
      if (separator < 1) {
        throw new ArgumentError('--template-value', `"${entry}" is not <key>=<value>`, 'for example: --template-value team=payments');
      }
      return [entry.slice(0, separator), entry.slice(separator + 1)] as const;
    }),
  );
  const file = options.messageTemplate;
  const template = file === undefined ? undefined : await readFile(resolve(file), 'utf8');
  try {
    return commitMessage(template, { automation: { namespace, name }, changes, values });
  } catch (error) {
    if (!(error instanceof GoTemplateError)) throw error;
    throw new ConfigError({
      file: file ?? '--message-template',
      line: 1,
      col: 1,
      message: error.message,
      hint: 'fix the template; the controller would fail the same way',
    });
  }
}

/** Runs the simulation, turning a file that makes the controller fail into bad input located at that file (shown as `shown` gives it). */
function asConfigError(simulate: () => SetterRun, shown: (file: string) => string): SetterRun {
  try {
    return simulate();
  } catch (error) {
    if (!(error instanceof ControllerFailure)) throw error;
    throw new ConfigError({
      file: shown(error.file),
      line: 1,
      col: 1,
      message: error.message,
      hint: error.hint,
    });
  }
}

/** `<ns>:<name>=<image>:<tag>[@sha256:<digest>]` → the policy key and the latest image it reports. */
function parsePolicyResult(value: string): [string, LatestImageRef] {
  const match = /^([a-z0-9][a-z0-9.-]*:[a-z0-9][a-z0-9.-]*)=([^\s@]+)(@sha256:[a-f0-9]{64})?$/.exec(value);
  const ref = match?.[2] ?? '';
  const colon = ref.lastIndexOf(':');
  if (!match || colon <= ref.lastIndexOf('/') || colon === ref.length - 1) {
    throw new ArgumentError(
      '--policy',
      `"${value}" is not <namespace>:<policy>=<image>:<tag>[@sha256:<64 hex>]`,
      'for example: --policy flux-system:web=ghcr.io/acme/web:1.4.2@sha256:<digest>',
    );
  }
  const digest = match[3]?.slice(1);
  return [match[1] ?? '', { name: ref.slice(0, colon), tag: ref.slice(colon + 1), ...(digest ? { digest } : {}) }];
}

/** `<policy>=<tag>[@digest]` (or, for --tags, a comma-separated list of them) by policy. */
function parseSets(sets: readonly string[], flag: string, list: boolean): Map<string, PolicyUpdate[]> {
  const updates = new Map<string, PolicyUpdate[]>();
  for (const set of sets) {
    const separator = set.indexOf('=');
    const values = separator > 0 ? set.slice(separator + 1).split(list ? ',' : /(?!)/) : [];
    const parsed = values.map((value) => parsePolicyUpdate(value.trim()));
    if (parsed.length === 0 || parsed.some((update) => update === undefined)) {
      throw new ArgumentError(
        flag,
        `"${set}" is not <policy>=<tag>[@sha256:<64 hex>]${list ? '[,<tag>…]' : ''}`,
        `for example: ${flag} dev-web-web=main-4e5f6a7-1732160000@sha256:<digest>`,
      );
    }
    updates.set(set.slice(0, separator), parsed as PolicyUpdate[]);
  }
  return updates;
}
