/** `manifold esc pull|push <env>`: take pins from a Pulumi ESC environment, or write them into it. */
import { type Command, Option } from 'commander';
import type { EscSettings } from '../config/environment-schema.ts';
import { type Environment, readEnvironment } from '../config/load-environment.ts';
import type { PinEdit } from '../config/pin-edits.ts';
import { ConfigError } from '../errors/config-error.ts';
import { escLocations, escValueKind, readEscImages } from '../esc/esc-pins.ts';
import { escDrift, pushPins } from '../esc/esc-sync.ts';
import { appEscEnvironment } from '../esc/external-secrets.ts';
import { unifiedDiff } from '../output/compare-dist.ts';
import { completeRefs } from '../pins/complete-refs.ts';
import { commitPinEdits } from '../pins/pin-transaction.ts';
import { provenance } from '../pins/provenance.ts';
import { renderRepository } from '../synth/synthesize.ts';
import type { CliIo } from './cli-io.ts';
import { seconds } from './option-values.ts';
import { printPinChanges, printSynthResult } from './pin-output.ts';
import { type RegistryOptions, registryClient, withRegistryOptions } from './registry-options.ts';
import { checkSignatures } from './signature-check.ts';

/** Adds the esc command group to `program`. */
export function registerEsc(program: Command, io: CliIo): void {
  const esc = program.command('esc').description('Pulumi ESC: pull pins from an ESC environment, or push them to it.');
  withRegistryOptions(
    esc
      .command('pull')
      .description('Set the pins of <env> from its ESC environment (digests resolved from the registry) and re-synthesize. Example: pnpm manifold esc pull dev')
      .argument('<env>', 'environment whose esc: block names the ESC environment')
      .option('--check', 'write nothing; exit 1 listing every pin that differs from ESC')
      .option('--no-verify', 'take digests ESC holds without checking them against the registry')
      .option('--json', 'print the changes as JSON')
      .addOption(escTimeoutOption()),
  ).action(async (envName: string, options: RegistryOptions & EscOptions & { check?: boolean; verify: boolean; json?: boolean }) => {
    const root = io.root();
    const env = await readEnvironment(root, envName, io.run.renderCache);
    const settings = requireEsc(env);
    const client = await escClient(settings, options);
    const where = env.sources.environment.positionOf(['esc']);
    const [{ properties }, definition] = await Promise.all([client.openValues(), client.readDefinition()]);
    const { images, missing } = readEscImages(properties, escLocations(env, settings), client.name, where);
    for (const key of missing) io.err(`not in ESC: ${key} (left as it is)`);
    const differing = escDrift(env, images);
    if (options.check) {
      if (options.json)
        io.out(JSON.stringify({ differing: differing.map(({ key, ref }) => ({ image: key, pin: env.pins.get(key)?.ref.value, esc: ref.value })) }, null, 2));
      else for (const { key, ref, from } of differing) io.out(`differs: ${env.name} ${key}: ${env.pins.get(key)?.ref.value} (ESC ${from}: ${ref.value})`);
      if (differing.length > 0) {
        io.err(`${differing.length} pin(s) differ from ESC ${client.name}: run pnpm manifold esc pull ${env.name}`);
        io.exit(1);
      } else if (!options.json) io.out(`${env.name}: pins match ESC ${client.name}`);
      return;
    }
    if (differing.length === 0) {
      if (!options.json) io.out(`${env.name}: pins match ESC ${client.name}`);
      else io.out('[]');
      return;
    }
    const needDigest = differing.filter(({ ref }) => !ref.digest);
    const source = provenance('esc', process.env, { environment: client.name, ...(definition.revision ? { revision: definition.revision } : {}) });
    const { client: registry, done } = registryClient(options);
    const edits = await (async () => {
      const refs = await completeRefs(
        differing.map(({ ref }) => ref),
        registry,
        options.verify ? 'tag' : 'none',
      );
      const planned: PinEdit[] = differing.map(({ key, ref }) => {
        const [app = '', image = ''] = key.split('/');
        return { app, image, ref: refs.get(ref.value)?.value ?? ref.value, source };
      });
      // What a build pipeline wrote into ESC is pinned only as the environment's verify: rules allow.
      return checkSignatures(env, planned, registry);
    })().finally(done);
    if (needDigest.length > 0 && !env.requireDigests) io.err(`resolved ${needDigest.length} digest(s) from the registry`);
    const { before, result } = await commitPinEdits(root, env.name, io.run, edits);
    printPinChanges(io, env.name, before, edits, options.json);
    if (!options.json) printSynthResult(io, result);
  });

  registerEscCheck(esc, io);
  esc
    .command('push')
    .description("Write <env>'s pins into its ESC environment, keeping every other key, comment and import. Example: pnpm manifold esc push dev")
    .argument('<env>', 'environment whose esc: block names the ESC environment')
    .addOption(new Option('--dry-run', 'show the change to the definition and write nothing'))
    .addOption(escTimeoutOption())
    .action(async (envName: string, options: EscOptions & { dryRun?: boolean }) => {
      const env = await readEnvironment(io.root(), envName, io.run.renderCache);
      const settings = requireEsc(env);
      const client = await escClient(settings, options);
      const pushed = await pushPins({ ...env, esc: settings }, client, {
        dryRun: options.dryRun,
        onRetry: (attempt) => io.err(`ESC ${client.name} changed meanwhile; reading it again (attempt ${attempt})`),
      });
      if (pushed.kind === 'current') io.out(`ESC ${client.name} already holds every pin of ${env.name} (revision ${pushed.revision})`);
      else if (pushed.kind === 'dry-run') io.out(unifiedDiff(`esc/${client.name}`, pushed.before, pushed.after));
      else io.out(`ESC ${client.name}: wrote ${pushed.values} value(s) of ${env.name}, revision ${pushed.revision}`);
    });
}

/** Adds `esc check`: every secret path the apps use exists in ESC and is a secret there. */
function registerEscCheck(esc: Command, io: CliIo): void {
  esc
    .command('check')
    .description('Check that every ESC secret the apps of <env> use exists in its ESC environment and is marked secret. Example: pnpm manifold esc check prod')
    .argument('<env>', 'environment whose esc: block names the ESC environment')
    .addOption(escTimeoutOption())
    .action(async (envName: string, options: EscOptions) => {
      const { environments } = await renderRepository(io.root(), [envName], io.run);
      const env = await readEnvironment(io.root(), envName, io.run.renderCache);
      const settings = requireEsc(env);
      const uses = environments[0]?.escSecrets ?? [];
      // Each app's secrets are read from its own ESC environment (esc.appEnvironments), else the environment's.
      const byEnvironment = new Map<string, typeof uses>();
      for (const use of uses) {
        const escEnvironment = appEscEnvironment(settings, use.app);
        byEnvironment.set(escEnvironment, [...(byEnvironment.get(escEnvironment) ?? []), use]);
      }
      const checked: string[] = [];
      let problems = 0;
      for (const [escEnvironment, group] of [...byEnvironment].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const client = await escClient({ ...settings, environment: escEnvironment }, options);
        const { properties } = await client.openValues();
        checked.push(client.name);
        for (const { app, key, escPath } of group) {
          const kind = escValueKind(properties, escPath);
          if (kind === 'secret') continue;
          problems++;
          io.out(`${kind === 'missing' ? 'missing' : 'not secret'}: ${escPath} (app ${app}, ${key}) in ESC ${client.name}`);
        }
      }
      if (problems > 0) {
        io.err(`${problems} of ${uses.length} ESC secret(s) of ${env.name} are missing or not marked secret: add them with fn::secret`);
        io.exit(1);
      } else
        io.out(
          `${env.name}: all ${uses.length} ESC secret(s) exist in ${checked.join(', ') || `${settings.organization}/${settings.project}/${settings.environment}`} and are secret`,
        );
    });
}

function requireEsc(env: Environment): EscSettings {
  if (env.esc) return env.esc;
  throw new ConfigError({
    ...env.sources.environment.positionOf([]),
    message: `${env.name} has no esc: block`,
    hint: 'add esc: { organization, project, environment } to environment.yaml',
  });
}

/** Options every esc command takes. */
interface EscOptions {
  readonly escTimeout: number;
}

function escTimeoutOption(): Option {
  return new Option('--esc-timeout <seconds>', 'time allowed for one ESC request, answer included (a wall-clock limit)').default(30).argParser(seconds(600));
}

/** A client for the ESC environment `settings` name; the SDK is loaded only by the commands that talk to ESC. */
async function escClient(settings: EscSettings, options: EscOptions) {
  const { EscClient } = await import('../esc/esc-client.ts');
  return new EscClient(settings, process.env, { timeoutMs: options.escTimeout * 1000 });
}
