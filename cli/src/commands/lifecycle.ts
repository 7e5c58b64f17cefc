/**
 * `manifold new`, `remove` and `rename`: start, retire and rename apps and environments with the
 * repository's own conventions, so nobody copies files from the README or edits every overlay by hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ImageRef } from '@manifold/constructs/core';
import { type Command, Option } from 'commander';
import { discoverApps } from '../apps/load-apps.ts';
import { dnsLabel } from '../config/environment-schema.ts';
import { type Environment, overlayFiles, readEnvironment } from '../config/load-environment.ts';
import { editPins, removeAppPins } from '../config/pin-edits.ts';
import { ArgumentError } from '../errors/manifold-error.ts';
import { replaceFile } from '../files/replace-file.ts';
import { formatChangesText } from '../pins/pin-changes.ts';
import { commitPinEdits } from '../pins/pin-transaction.ts';
import { planPromotion } from '../pins/promotion.ts';
import { defaultSetter, provenance } from '../pins/provenance.ts';
import { APP_KINDS, type AppKind, appFiles } from '../scaffold/app-files.ts';
import { withApps, withHeadComment, withValues } from '../scaffold/overlay-edits.ts';
import { overlaySchemaFolder } from '../scaffold/repository-files.ts';
import { listEnvironments } from '../synth/synthesize.ts';
import type { CliIo } from './cli-io.ts';
import { taggedImageRef } from './option-values.ts';
import { printSynthResult } from './pin-output.ts';

/** Adds `new app`, `new env`, `remove app` and `rename env` to `program`. */
export function registerLifecycle(program: Command, io: CliIo): void {
  const command = program.command('new').description('Start an app or an environment');
  command
    .command('app')
    .description(
      'Write apps/<name>/ (package, tsconfig, source) and pin its image in the environments that deploy it. Example: pnpm manifold new app hello --kind web --image ghcr.io/acme/hello:1.0.0@sha256:… --env dev',
    )
    .argument('<name>', 'app name: a DNS-1123 label, also the folder name and the image name')
    .addOption(new Option('--kind <kind>', 'the workload').choices(APP_KINDS).makeOptionMandatory())
    .requiredOption('--image <ref>', 'the image to pin: registry/repository:tag[@sha256:<digest>]')
    .option('--env <envs>', 'comma-separated environments that deploy the app (default: every environment)')
    .option('--size <class>', 'the size class from environment.yaml the workload asks for', 'small')
    .action(async (name: string, options: { kind: AppKind; image: string; env?: string; size: string }) => {
      const root = io.root();
      checkName(name, 'app', 'argument 1');
      if (existsSync(join(root, 'apps', name))) throw new ArgumentError('argument 1', `apps/${name} already exists`, 'choose another name, or edit that app');
      const ref = taggedImageRef(options.image, '--image');
      const all = await listEnvironments(root);
      const targets = options.env === undefined ? all : environmentList(options.env, all);
      const apps = (await discoverApps(root)).map((app) => app.name);
      const writes = new Map<string, string>();
      for (const envName of all) {
        const env = await readEnvironment(root, envName, io.run.renderCache);
        const files = overlayFiles(envName);
        if (!targets.includes(envName)) {
          // An environment without an apps: list deploys every app: list today's, so the new one does not go there.
          if (env.apps === undefined) writes.set(files.environment, withApps(env.sources.environment.text, apps));
          continue;
        }
        checkTarget(env, ref, name, options.size);
        if (env.apps !== undefined) writes.set(files.environment, withApps(env.sources.environment.text, [...env.apps, name]));
        const source = provenance(defaultSetter(), process.env);
        writes.set(files.images, editPins(env, [{ app: name, image: name, ref: ref.value, source }]));
      }
      const rootPackage = JSON.parse(await readFile(join(root, 'package.json'), 'utf8').catch(() => '{}')) as {
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      // A repository made by manifold init depends on @manifold/constructs by version; this one, on its workspace package.
      const constructs = rootPackage.dependencies?.['@manifold/constructs'];
      const created = appFiles({
        name,
        kind: options.kind,
        size: options.size,
        rootDevDependencies: rootPackage.devDependencies ?? {},
        ...(constructs && !constructs.startsWith('workspace:') ? { constructsDependency: constructs } : {}),
      });
      for (const [file, text] of created) {
        await mkdir(dirname(join(root, file)), { recursive: true });
        await writeFile(join(root, file), text, { flag: 'wx' });
        io.out(`created ${file}`);
      }
      for (const [file, text] of writes) {
        await replaceFile(join(root, file), text);
        io.out(`updated ${file}`);
      }
      io.out(`${name} is deployed to ${targets.join(', ') || 'no environment'}; next: pnpm install && pnpm synth`);
    });

  command
    .command('env')
    .description(
      'Write overlays/<name>/ promoted from another environment, fill its pins from there and synthesize it. Example: pnpm manifold new env qa --from dev',
    )
    .argument('<name>', 'environment name: a DNS-1123 label')
    .requiredOption('--from <env>', 'the environment it is promoted from: its settings and pins are the start')
    .option('--namespace <namespace>', "the Kubernetes namespace (default: the source's, with its name replaced)")
    .option('--domain <domain>', "the DNS domain (default: the source's, with its name replaced)")
    .action(async (name: string, options: { from: string; namespace?: string; domain?: string }) => {
      const root = io.root();
      checkName(name, 'environment', 'argument 1');
      if (existsSync(join(root, 'overlays', name))) throw new ArgumentError('argument 1', `overlays/${name} already exists`, 'choose another name');
      const from = await readEnvironment(root, options.from, io.run.renderCache);
      const namespace = options.namespace ?? renamed(from.namespace, from.name, name, '--namespace');
      const domain = options.domain ?? renamed(from.domain, from.name, name, '--domain');
      checkName(namespace, 'namespace', '--namespace');
      const values: [string[], string][] = [
        [['namespace'], namespace],
        [['domain'], domain],
        [['promotesFrom'], from.name],
      ];
      if (from.esc?.environment === from.name) values.push([['esc', 'environment'], name]);
      const environment = withHeadComment(withValues(from.sources.environment.text, values), `The ${name} environment, promoted from ${from.name}.`);
      const images = `# yaml-language-server: $schema=${overlaySchemaFolder(root)}/images.schema.json\n# Image pins for ${name}: app -> image -> pin. Edited by people, CI and Flux.\n`;
      const files = overlayFiles(name);
      await mkdir(join(root, 'overlays', name));
      try {
        await writeFile(join(root, files.environment), environment, { flag: 'wx' });
        await writeFile(join(root, files.images), images, { flag: 'wx' });
        const target = await readEnvironment(root, name, io.run.renderCache);
        const { edits, changes } = await planPromotion(root, from, target, [...from.pins.values()]);
        const { result } = await commitPinEdits(root, name, io.run, edits);
        io.out(`created ${files.environment}`);
        io.out(`created ${files.images}`);
        io.out(formatChangesText(changes).trimEnd());
        printSynthResult(io, result);
      } catch (error) {
        // The folder is this command's own: nothing of it stays behind a failure.
        await rm(join(root, 'overlays', name), { recursive: true, force: true });
        throw error;
      }
    });

  program
    .command('remove')
    .description('Retire an app or an environment')
    .command('app')
    .description(
      'Remove apps/<name>/ and its pins and apps: entries in every environment; the next synth prunes its files. Example: pnpm manifold remove app hello',
    )
    .argument('<name>', 'the app')
    .option('--force', 'also remove an app folder with changes git has not committed')
    .action(async (name: string, options: { force?: boolean }) => {
      const root = io.root();
      checkName(name, 'app', 'argument 1');
      const folder = join(root, 'apps', name);
      if (!existsSync(folder))
        throw new ArgumentError(
          'argument 1',
          `no app "${name}" (apps/${name} does not exist)`,
          `apps: ${(await discoverApps(root)).map((app) => app.name).join(', ') || '(none)'}`,
        );
      const uncommitted = uncommittedChanges(root, `apps/${name}`);
      if (uncommitted && !options.force) {
        throw new ArgumentError(
          'argument 1',
          `apps/${name} has changes git has not committed (${uncommitted})`,
          'commit or stash them first, or pass --force to remove them too',
        );
      }
      const writes = new Map<string, string>();
      for (const envName of await listEnvironments(root)) {
        const env = await readEnvironment(root, envName, io.run.renderCache);
        const files = overlayFiles(envName);
        if (env.apps?.includes(name))
          writes.set(
            files.environment,
            withApps(
              env.sources.environment.text,
              env.apps.filter((app) => app !== name),
            ),
          );
        if ([...env.pins.values()].some((pin) => pin.app === name)) writes.set(files.images, removeAppPins(env, name));
      }
      for (const [file, text] of writes) {
        await replaceFile(join(root, file), text);
        io.out(`updated ${file}`);
      }
      await rm(folder, { recursive: true });
      io.out(`removed apps/${name}; next: pnpm install && pnpm synth`);
    });

  program
    .command('rename')
    .description('Rename an environment')
    .command('env')
    .description(
      'Rename overlays/<from>/ and dist/<from>/, with the namespace, domain and ESC environment named after it and every promotesFrom naming it. Example: pnpm manifold rename env staging stage',
    )
    .argument('<from>', 'the environment')
    .argument('<to>', 'its new name: a DNS-1123 label')
    .action(async (fromName: string, toName: string) => {
      const root = io.root();
      checkName(toName, 'environment', 'argument 2');
      const all = await listEnvironments(root);
      if (!all.includes(fromName)) throw new ArgumentError('argument 1', `no environment "${fromName}"`, `environments: ${all.join(', ') || '(none)'}`);
      for (const taken of [`overlays/${toName}`, `dist/${toName}`]) {
        if (existsSync(join(root, taken))) throw new ArgumentError('argument 2', `${taken} already exists`, 'choose another name');
      }
      const env = await readEnvironment(root, fromName, io.run.renderCache);
      const values: [string[], string][] = [];
      for (const [key, value] of [
        ['namespace', env.namespace],
        ['domain', env.domain],
      ] as const) {
        const changed = renamedOrUndefined(value, fromName, toName);
        if (changed) values.push([[key], changed]);
      }
      if (env.esc?.environment === fromName) values.push([['esc', 'environment'], toName]);
      const writes = new Map<string, string>([[overlayFiles(toName).environment, withValues(env.sources.environment.text, values)]]);
      for (const other of all.filter((name) => name !== fromName)) {
        const promoted = await readEnvironment(root, other, io.run.renderCache);
        if (promoted.promotesFrom === fromName)
          writes.set(overlayFiles(other).environment, withValues(promoted.sources.environment.text, [[['promotesFrom'], toName]]));
      }
      await rename(join(root, 'overlays', fromName), join(root, 'overlays', toName));
      io.out(`renamed overlays/${fromName} to overlays/${toName}`);
      if (existsSync(join(root, 'dist', fromName))) {
        // Moved, not deleted: files someone keeps there stay theirs, and the next synth rewrites what it generated.
        await rename(join(root, 'dist', fromName), join(root, 'dist', toName));
        io.out(`renamed dist/${fromName} to dist/${toName}`);
      }
      for (const [file, text] of writes) {
        await replaceFile(join(root, file), text);
        io.out(`updated ${file}`);
      }
      io.out(`next: pnpm synth && pnpm manifold renovate (the pins' Flux policies are named after the environment)`);
    });
}

function checkName(name: string, what: string, where: string): void {
  if (!dnsLabel.safeParse(name).success) {
    throw new ArgumentError(where, `${what} name "${name}" is not a DNS-1123 label`, 'use lowercase letters, digits and "-", at most 63 characters');
  }
}

function environmentList(value: string, known: readonly string[]): string[] {
  return value.split(',').map((envName, index) => {
    const trimmed = envName.trim();
    if (!known.includes(trimmed)) {
      throw new ArgumentError('--env', `no environment "${trimmed}" (item ${index + 1})`, `environments: ${known.join(', ') || '(none)'}`);
    }
    return trimmed;
  });
}

function checkTarget(env: Environment, ref: ImageRef, app: string, size: string): void {
  if (env.requireDigests && !ref.digest) {
    throw new ArgumentError(
      '--image',
      `${env.name} requires digests, but "${ref.value}" has none`,
      `add @sha256:<digest>, or leave ${env.name} out with --env and pin it later: pnpm pin ${env.name} ${app}/${app}=${ref.value}`,
    );
  }
  if (!env.sizes.has(size)) {
    throw new ArgumentError(
      '--size',
      `${env.name} has no size "${size}"`,
      `sizes of ${env.name}: ${[...env.sizes.keys()].join(', ') || '(none)'}; add it to overlays/${env.name}/environment.yaml or pass --size`,
    );
  }
}

/** `value` with the label `from` replaced by `to`: acme-dev → acme-qa, dev.acme.example → qa.acme.example. */
function renamed(value: string, from: string, to: string, option: string): string {
  const changed = renamedOrUndefined(value, from, to);
  if (changed === undefined)
    throw new ArgumentError(option, `"${value}" does not contain "${from}" to replace`, `give the new environment's value with ${option}`);
  return changed;
}

/** {@link renamed}, or undefined when `value` does not contain the label `from`. */
function renamedOrUndefined(value: string, from: string, to: string): string | undefined {
  const pattern = new RegExp(`(^|[.-])${from}($|[.-])`);
  return pattern.test(value) ? value.replace(pattern, `$1${to}$2`) : undefined;
}

/** A short summary of what `git status` lists below `path`, or undefined when nothing (or no git repository). */
function uncommittedChanges(root: string, path: string): string | undefined {
  const status = spawnSync('git', ['status', '--porcelain', '--', path], { cwd: root, encoding: 'utf8' });
  if (status.status !== 0) return undefined;
  const lines = status.stdout.split('\n').filter(Boolean);
  return lines.length === 0 ? undefined : `${lines.length} path${lines.length === 1 ? '' : 's'}, e.g. ${lines[0]?.slice(3)}`;
}
