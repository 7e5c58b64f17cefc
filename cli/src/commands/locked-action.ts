/** Runs a command that reads, edits and writes pins while holding the dist/ lock, so concurrent runs never lose an edit. */
import { join } from 'node:path';
import { withDistLock } from '../dist/dist-lock.ts';
import type { CliIo } from './cli-io.ts';

/** `action`, run with dist/.manifold.lock held for its whole read-modify-write. */
export function lockedAction<Args extends unknown[]>(io: CliIo, action: (...args: Args) => Promise<void>): (...args: Args) => Promise<void> {
  return (...args) => withDistLock(join(io.root(), 'dist'), () => action(...args));
}
