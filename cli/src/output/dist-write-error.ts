/** A file-system failure while writing dist/ or an overlay, told with the path, the errno and what to do. */
import { isAbsolute, relative } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { OperationalError } from '../errors/manifold-error.ts';

/** Raised when the disk refuses a write; the tree is left all-old or all-new, as the message says. */
export class DistWriteError extends OperationalError {}

/**
 * Wraps a file-system error from `action` on its path (shown relative to `root` when inside it) into a
 * DistWriteError whose hint ends with `then` (what completes the work once the cause is fixed).
 */
export function describeWriteFailure(error: unknown, root: string, action: string, outcome: string, then = 'run pnpm synth again'): DistWriteError {
  const failure = error as NodeJS.ErrnoException;
  if (!failure || typeof failure.code !== 'string') throw error;
  const code = failure.code || errnoNamed(failure.message);
  const inside = failure.path ? relative(root, failure.path) || '.' : undefined;
  const path = inside === undefined ? undefined : inside.startsWith('..') || isAbsolute(inside) ? (failure.path as string) : inside;
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? `free disk space, then ${then}`
      : (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') && path
        ? `make ${path} writable (chmod -R u+w), then ${then}`
        : `fix the cause, then ${then}`;
  return new DistWriteError(`cannot ${action}${path ? ` ${path}` : ''}: ${code} (${failure.syscall ?? 'fs'}); ${outcome}`, hint);
}

/**
 * The errno name a message describes. Node.js 24's native recursive `rm` reports a failure of the
 * system call under it as "Unknown error: No space left on device" with an empty code.
 */
function errnoNamed(message: string): string {
  const text = message.toLowerCase();
  const described = [...getSystemErrorMap().values()].filter(([name, description]) => name !== 'UNKNOWN' && text.includes(description.toLowerCase()));
  // The most specific description that matches ("no space left on device", not a shorter one inside it).
  return described.sort((a, b) => b[1].length - a[1].length)[0]?.[0] ?? 'EIO';
}
