/**
 * The one model of an error the user reads: what went wrong (one line, safe to print), what to do about
 * it, and the exit code it ends the command with. Everything else thrown is a bug (exit 70, see run-cli.ts).
 */

/** Exit codes of every command, as `manifold --help` and the README list them. */
export const EXIT = {
  /** Bad input: a file, an argument or an app the user wrote. */
  badInput: 2,
  /** Something outside failed or refused: a registry, ESC, the disk, a lock held elsewhere. */
  operational: 1,
} as const;

/** An error that stops a command, printed as its message and a hint, never with a stack. */
export class ManifoldError extends Error {
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly hint: string,
    /** The command's exit code. */
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The error as the CLI prints it: the message, then the hint (and, with --verbose, what caused it). */
  format(verbose = false): string {
    const cause = this.cause;
    const stack = verbose && cause instanceof Error && cause.stack ? `\n${cause.stack}` : '';
    return `${this.message}\n  hint: ${this.hint}${stack}`;
  }
}

/** A failure outside Manifold's control (a service, the disk, a lock held elsewhere): exit 1. */
export class OperationalError extends ManifoldError {
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super(message, hint, EXIT.operational, options);
  }
}

/** A command-line argument that cannot be used, printed as `--option: message`: exit 2. */
export class ArgumentError extends ManifoldError {
  constructor(
    /** The option or argument, as the user typed it (`--out`, `<env>`). */
    readonly argument: string,
    message: string,
    hint: string,
  ) {
    super(`${argument}: ${message}`, hint, EXIT.badInput);
  }
}
