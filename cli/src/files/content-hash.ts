/** The one content hash of generated files. */
import { createHash } from 'node:crypto';

/** sha256 of a file's bytes, hex: what a stamp records of each file synth wrote. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
