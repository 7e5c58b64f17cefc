/** The few side channels a command uses, so commands stay testable and thin. */
import type { AppImporter } from '../apps/load-apps.ts';

/** Output, exit and the repository root for one CLI invocation. */
export interface CliIo {
  /** The repository root the command works on. */
  root(): string;
  /** Loads the repository's app modules. */
  readonly importApp: AppImporter;
  /** The app entry files compiled for this run (the others' compiled code was current). */
  readonly compiled: readonly string[];
  out(line: string): void;
  err(line: string): void;
  /** Sets the exit code; the process ends when the command returns. */
  exit(code: number): void;
}
