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
}

/** A user-input error, printed as `file:line:col: message` and a hint. */
export class ConfigError extends Error {
  readonly details: ConfigErrorDetails;

  constructor(details: ConfigErrorDetails) {
    super(`${details.file}:${details.line}:${details.col}: ${details.message}`);
    this.name = 'ConfigError';
    this.details = details;
  }

  /** The error as the CLI prints it: the located message, then the hint. */
  format(): string {
    return `${this.message}\n  hint: ${this.details.hint}`;
  }
}
