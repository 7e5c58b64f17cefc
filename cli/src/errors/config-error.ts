/** The one error type for bad user input: a place, a message and a hint. Exit code 2. */

/** Where in a user's file something is wrong. Line and column are 1-based. */
export interface SourcePosition {
  /** Path relative to the repository root, with forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** What was wrong and what to do about it. */
export interface ConfigErrorDetails extends SourcePosition {
  readonly message: string;
  readonly hint: string;
  /** What was thrown underneath (an app's exception), shown with --verbose. */
  readonly cause?: unknown;
}

/** A user-input error, printed as `file:line:col: message` and a hint. */
export class ConfigError extends Error {
  readonly details: ConfigErrorDetails;

  constructor(details: ConfigErrorDetails) {
    super(`${details.file}:${details.line}:${details.col}: ${details.message}`, { cause: details.cause });
    this.name = 'ConfigError';
    this.details = details;
  }

  /** The error as the CLI prints it: the located message, then the hint. */
  format(verbose = false): string {
    const cause = this.details.cause;
    const stack = verbose && cause instanceof Error && cause.stack ? `\n${cause.stack}` : '';
    return `${this.message}\n  hint: ${this.details.hint}${stack}`;
  }
}
