/** The error of an ESC answer that stops a command; apart from the client, so reporting it loads no SDK. */

import { OperationalError } from '../errors/manifold-error.ts';

/** An ESC answer that stops the command; safe to print. */
export class EscError extends OperationalError {
  constructor(
    message: string,
    hint: string,
    /** The HTTP status, when there was one. */
    readonly status?: number,
  ) {
    super(message, hint);
  }
}
