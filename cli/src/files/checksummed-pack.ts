/**
 * Cache files of the render and entry caches, written whole and renamed into place (concurrent runs
 * see whole files): a first line holding the sha256 of a salt (the cache's format and the build) and
 * of everything after that line; a line of JSON (the data, and the byte length of each text); then
 * the texts, raw. Large strings such as rendered YAML stay out of the JSON, so they are neither
 * escaped nor parsed. A damaged file, another format's or another build's reads as nothing.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

/** What a pack holds: JSON data, and strings kept beside it. */
export interface Pack {
  readonly data: unknown;
  readonly texts: readonly string[];
}

/** Writes `data` and `texts` to `file`; a failure to write is ignored (the next run works without it). */
export function writePack(file: string, salt: string, { data, texts }: Pack): void {
  const body = `${JSON.stringify([data, texts.map((text) => Buffer.byteLength(text))])}\n${texts.join('')}`;
  const temporary = `${file}.${process.pid}.${threadId}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, `${createHash('sha256').update(salt).update(body).digest('hex')}\n${body}`);
    renameSync(temporary, file);
  } catch {}
}

/** What {@link writePack} wrote to `file` with the same salt, or undefined. */
export function readPack(file: string, salt: string): Pack | undefined {
  try {
    const bytes = readFileSync(file);
    const checksum = bytes.toString('latin1', 0, 64);
    if (bytes[64] !== 0x0a || checksum !== createHash('sha256').update(salt).update(bytes.subarray(65)).digest('hex')) return undefined;
    const newline = bytes.indexOf(0x0a, 65);
    const [data, lengths] = JSON.parse(bytes.toString('utf8', 65, newline)) as [unknown, number[]];
    const texts: string[] = [];
    let offset = newline + 1;
    for (const length of lengths) {
      texts.push(bytes.toString('utf8', offset, offset + length));
      offset += length;
    }
    return offset === bytes.length ? { data, texts } : undefined;
  } catch {
    return undefined;
  }
}
