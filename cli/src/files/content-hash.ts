/** The one content hash of generated files. */
import { hash } from 'node:crypto';

/** sha256 of a file's bytes (or any text), hex: what a stamp records of each file synth wrote. One call, no hash object. */
export function contentHash(text: string): string {
  return hash('sha256', text, 'hex');
}
