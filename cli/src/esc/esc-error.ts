/** The error of an ESC answer that stops a command; apart from the client, so reporting it loads no SDK. */

/** An ESC answer that stops the command; safe to print. */
export class EscError extends Error {
  constructor(
    message: string,
    /** What the user can do. */
    readonly hint: string,
    /** The HTTP status, when there was one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EscError';
  }
}
