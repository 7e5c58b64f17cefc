/** The manifold command line: parses arguments, runs a command, maps errors to exit codes. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import type { AppImporter } from './apps/load-apps.ts';
import { registerBoard } from './commands/board.ts';
import type { CliIo } from './commands/cli-io.ts';
import { registerDiff } from './commands/diff.ts';
import { registerEsc } from './commands/esc.ts';
import { registerFlux } from './commands/flux.ts';
import { registerImages } from './commands/images.ts';
import { registerInit } from './commands/init.ts';
import { registerLifecycle } from './commands/lifecycle.ts';

import { registerPin } from './commands/pin.ts';
import { registerPromote } from './commands/promote.ts';
import { registerRelease } from './commands/release.ts';
import { registerRenovate } from './commands/renovate.ts';
import { registerRollback } from './commands/rollback.ts';
import { registerSchema } from './commands/schema.ts';
import { registerSynth } from './commands/synth.ts';
import { registerTrust } from './commands/trust.ts';
import { registerVerify } from './commands/verify.ts';
import { EXIT, ManifoldError } from './errors/manifold-error.ts';
import { describeWriteFailure } from './output/dist-write-error.ts';
import type { WorkerLaunch } from './synth/render-workers.ts';
import type { RunContext } from './synth/run-context.ts';

/** The exit code of an unexpected exception: a bug, not bad input (2) or an operational failure (1). */
const INTERNAL_ERROR = 70;

/** What each exit code means, for --help and the README. */
const EXIT_CODES = `
Exit codes:
  0    done (with --check: everything current)
  1    out of date (--check), or an operational failure: a registry, ESC or the disk refused
  2    bad input: a file, option or argument, named with its line and column
  70   internal error: a bug in Manifold (--verbose prints its stack)
  130  interrupted (Ctrl-C)`;

/** The version of this CLI, from its package.json. */
export const MANIFOLD_VERSION: string = packageJson.version;

/** How the CLI reaches the repository's apps. */
export interface RunOptions {
  /** The repository root, found by the launcher (`--root`, or walking up from the working directory). */
  readonly root: string;
  /** A folder for caches that may be lost at any time (the launcher's), when there is one. */
  readonly cacheDir?: string;
  /** Loads an app module by its path relative to the root (e.g. `apps/web/src/index.ts`). */
  readonly importApp: AppImporter;
  /** Content hashes of the compiled code, from the launcher: shared by all apps, and per app entry file. */
  readonly codeHashes?: { readonly shared: string; readonly apps: ReadonlyMap<string, string> };
  /** The app entry files the launcher compiled for this run (the others' compiled code was current). */
  readonly compiled?: readonly string[];
  /** The folder for this repository's render cache, when there is one. */
  readonly renderCacheDir?: string;
  /** How to start render workers (the launcher's worker script and bundle), when synth may use them. */
  readonly renderWorkers?: WorkerLaunch;
  /** URL of the compiled module a stamp-check worker runs, when synth may start one. */
  readonly stampWorker?: string;
  /** The folder of the @manifold/cli package (default: the one this module's source is in). */
  readonly cliRoot?: string;
  /** Where the command's lines go (default: the process's stdout and stderr); tests capture them here. */
  readonly output?: Pick<CliIo, 'out' | 'err'>;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[], options: RunOptions): Promise<number> {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  // Verdicts and renders depend on the code that made them: the launcher's content hashes say which.
  const hashes = options.codeHashes;
  const run: RunContext = {
    importApp: options.importApp,
    ...(options.cacheDir && hashes ? { validationCache: { file: join(options.cacheDir, 'validated-objects'), version: hashes.shared } } : {}),
    ...(options.renderCacheDir && hashes ? { renderCache: { dir: options.renderCacheDir, sharedHash: hashes.shared, appHashes: hashes.apps } } : {}),
    ...(options.renderWorkers ? { renderWorkers: options.renderWorkers } : {}),
    ...(options.stampWorker ? { stampWorker: options.stampWorker } : {}),
    ...(options.cacheDir ? { verificationCache: join(options.cacheDir, 'verified-signatures.json') } : {}),
  };
  // Ctrl-C: say what state dist/ is in. Every write is staged and committed by a rename, so each
  // environment is as it was, or has its committed write waiting beside it to be completed.
  process.once('SIGINT', () => {
    const pending = listing(join(options.root, 'dist')).flatMap((name) => /^\.(.+)\.(patch|previous)$/.exec(name)?.[1] ?? []);
    process.stderr.write(
      pending.length === 0
        ? 'interrupted: no write is left half done in dist/ (each environment is as it was, or new if its write finished); pnpm synth does the rest\n'
        : `interrupted: the committed write of ${[...new Set(pending)].map((env) => `dist/${env}`).join(', ')} waits beside it; run pnpm synth to complete it (pnpm synth --check says "interrupted write" until then)\n`,
    );
    process.exit(130);
  });
  let exitCode = 0;
  const program = new Command('manifold')
    .description('Typed cdk8s apps and per-environment overlays → pinned, Flux-ready manifests in dist/.')
    .version(MANIFOLD_VERSION)
    .option('--root <dir>', 'repository root (default: the nearest folder above the working directory with apps/ and overlays/)')
    .option('--verbose', 'print the stack of an error thrown by an app, or of an internal error')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES);
  const io: CliIo = {
    root: () => options.root,
    cliRoot: options.cliRoot ?? join(import.meta.dirname, '..'),
    out: options.output?.out ?? ((line) => process.stdout.write(`${line}\n`)),
    err: options.output?.err ?? ((line) => process.stderr.write(`${line}\n`)),
    run,
    compiled: options.compiled ?? [],
    exit: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  registerSynth(program, io);
  registerSchema(program, io);
  registerFlux(program, io);
  registerImages(program, io);
  registerDiff(program, io);
  registerBoard(program, io);
  registerPin(program, io);
  registerPromote(program, io);
  registerRollback(program, io);
  registerRelease(program, io);
  registerRenovate(program, io);
  registerEsc(program, io);
  registerLifecycle(program, io);
  registerInit(program, io);
  registerVerify(program, io);
  registerTrust(program, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT.badInput;
    if (error instanceof ManifoldError) {
      io.err(error.format(program.opts<{ verbose?: boolean }>().verbose));
      return error.exitCode;
    }
    if (isFileSystemError(error)) {
      // A disk or permission failure outside the guarded write phase: say what and where, no stack.
      const failure = describeWriteFailure(error, options.root, `${error.syscall ?? 'use'}`, 'nothing was written', 'run the command again');
      io.err(failure.format());
      return failure.exitCode;
    }
    // Anything else is Manifold's own fault: say so in one line, with its own exit code, so CI can tell it from an outage.
    const verbose = program.opts<{ verbose?: boolean }>().verbose;
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    io.err(
      `internal error: ${message}\n  hint: this is a bug in Manifold, not in your input: please report it${verbose ? '' : ' with the stack that --verbose prints'}`,
    );
    if (verbose && error instanceof Error && error.stack) io.err(error.stack);
    return INTERNAL_ERROR;
  }
  return exitCode;
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return error instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/** The names in `dir`, or none when it cannot be read. */
function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
