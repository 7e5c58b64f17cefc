/** A file-system failure while writing dist/ or an overlay, told with the path, the errno and what to do. */
import { isAbsolute, relative } from 'node:path';
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
  const inside = failure.path ? relative(root, failure.path) || '.' : undefined;
  const path = inside === undefined ? undefined : inside.startsWith('..') || isAbsolute(inside) ? (failure.path as string) : inside;
  const hint =
    failure.code === 'ENOSPC' || failure.code === 'EDQUOT'
      ? `free disk space, then ${then}`
      : (failure.code === 'EACCES' || failure.code === 'EPERM' || failure.code === 'EROFS') && path
        ? `make ${path} writable (chmod -R u+w), then ${then}`
        : `fix the cause, then ${then}`;
  return new DistWriteError(`cannot ${action}${path ? ` ${path}` : ''}: ${failure.code} (${failure.syscall ?? 'fs'}); ${outcome}`, hint);
}
