/** The few side channels a command uses, so commands stay testable and thin. */
import type { RunContext } from '../synth/run-context.ts';

/** Output, exit and the repository root for one CLI invocation. */
export interface CliIo {
  /** The repository root the command works on. */
  root(): string;
  /** The folder of the @manifold/cli package (its schemas and templates). */
  readonly cliRoot: string;
  /** How this run imports app modules, and its caches and render workers. */
  readonly run: RunContext;
  /** The app entry files compiled for this run (the others' compiled code was current). */
  readonly compiled: readonly string[];
  out(line: string): void;
  err(line: string): void;
  /** Sets the exit code; the process ends when the command returns. */
  exit(code: number): void;
}
