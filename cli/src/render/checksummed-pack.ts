/**
 * Cache files of the render and entry caches: JSON written whole and renamed into place (concurrent
 * runs see whole files), behind a first line holding the sha256 of a salt (the cache's format and the
 * build) and the body. A damaged file, another format's or another build's reads as nothing.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Writes `data` to `file`; a failure to write is ignored (the next run works without it). */
export function writePack(file: string, salt: string, data: unknown): void {
  const body = JSON.stringify(data);
  const temporary = `${file}.${process.pid}.${threadId}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, `${checksum(salt, body)}\n${body}`);
    renameSync(temporary, file);
  } catch {}
}

/** The data {@link writePack} wrote to `file` with the same salt, or undefined. */
export function readPack(file: string, salt: string): unknown {
  try {
    const text = readFileSync(file, 'utf8');
    const newline = text.indexOf('\n');
    const body = text.slice(newline + 1);
    if (newline !== 64 || text.slice(0, newline) !== checksum(salt, body)) return undefined;
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function checksum(salt: string, body: string): string {
  return createHash('sha256').update(salt).update(body).digest('hex');
}
