/** The few side channels a command uses, so commands stay testable and thin. */

/** Output, exit and the repository root for one CLI invocation. */
export interface CliIo {
  /** The repository root the command works on. */
  root(): string;
  out(line: string): void;
  err(line: string): void;
  /** Sets the exit code; the process ends when the command returns. */
  exit(code: number): void;
}
