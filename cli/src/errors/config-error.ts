/** Bad input in a file the user wrote: a place, a message and a hint. Exit code 2. */
import { EXIT, ManifoldError } from './manifold-error.ts';

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
export class ConfigError extends ManifoldError {
  readonly details: ConfigErrorDetails;

  constructor(details: ConfigErrorDetails) {
    super(`${details.file}:${details.line}:${details.col}: ${details.message}`, details.hint, EXIT.badInput, { cause: details.cause });
    this.details = details;
  }
}
