/** A file-system failure while writing dist/ or an overlay, told with the path, the errno and what to do. */
import { relative } from 'node:path';

/** Raised when the disk refuses a write; the tree is left all-old or all-new, as the message says. */
export class DistWriteError extends Error {
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly hint: string,
  ) {
    super(message);
    this.name = 'DistWriteError';
  }
}

/** Wraps a file-system error from `action` on `path` (shown relative to `root`) into a DistWriteError. */
export function describeWriteFailure(error: unknown, root: string, action: string, outcome: string): DistWriteError {
  const failure = error as NodeJS.ErrnoException;
  if (!failure || typeof failure.code !== 'string') throw error;
  const path = failure.path ? relative(root, failure.path) || '.' : '(unknown path)';
  const hint =
    failure.code === 'ENOSPC' || failure.code === 'EDQUOT'
      ? 'free disk space, then run pnpm synth again'
      : failure.code === 'EACCES' || failure.code === 'EPERM' || failure.code === 'EROFS'
        ? `make ${path} writable (chmod -R u+w), then run pnpm synth again`
        : 'fix the cause, then run pnpm synth again';
  return new DistWriteError(`cannot ${action} ${path}: ${failure.code} (${failure.syscall ?? 'fs'}); ${outcome}`, hint);
}
