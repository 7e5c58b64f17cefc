/**
 * Cache files of the render and entry caches, written whole and renamed into place (concurrent runs
 * see whole files): a first line holding the sha256 of a salt (the cache's format and the build) and
 * the header line, then the sha256 of the texts; a header line of JSON (the data, and the byte
 * length of each text); then the texts, raw. Large strings such as rendered YAML stay out of the
 * JSON, so they are neither escaped nor parsed, and a reader may take the data alone and read texts
 * only when asked for ({@link openPack}). A damaged file, another format's or another build's reads
 * as nothing.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

/** What a pack holds: JSON data, and strings kept beside it. */
export interface Pack {
  readonly data: unknown;
  readonly texts: readonly string[];
}

/** A pack whose data is read and whose texts are read only when asked for. */
export interface OpenPack {
  readonly data: unknown;
  /** How many texts it holds. */
  readonly count: number;
  /** The text at `index`, or undefined when the texts are damaged (or there is none at `index`). */
  text(index: number): string | undefined;
}

const sha256 = (salt: string, body: string | Buffer) => createHash('sha256').update(salt).update(body).digest('hex');

/** Length of the first line: two hex sha256 digests. */
const CHECKSUMS = 128;

/** Writes `data` and `texts` to `file`; a failure to write is ignored (the next run works without it). */
export function writePack(file: string, salt: string, { data, texts }: Pack): void {
  const header = JSON.stringify([data, texts.map((text) => Buffer.byteLength(text))]);
  // The texts encoded once, hashed and written as they are (a render pack's are tens of megabytes).
  const body = Buffer.from(texts.join(''), 'utf8');
  const temporary = `${file}.${process.pid}.${threadId}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(temporary, 'w');
    try {
      writeAll(fd, [Buffer.from(`${sha256(salt, header)}${sha256('', body)}\n${header}\n`, 'utf8'), body]);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch {}
}

/** Writes `buffers` to `fd` in order, whole (a write may take less than it is given). */
function writeAll(fd: number, buffers: Buffer[]): void {
  for (const buffer of buffers) {
    for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset);
  }
}

/** What {@link writePack} wrote to `file` with the same salt, every text checked, or undefined. */
export function readPack(file: string, salt: string): Pack | undefined {
  const pack = openPack(file, salt);
  if (!pack) return undefined;
  const texts: string[] = [];
  for (let index = 0; index < pack.count; index++) {
    const text = pack.text(index);
    if (text === undefined) return undefined;
    texts.push(text);
  }
  return { data: pack.data, texts };
}

/**
 * The data {@link writePack} wrote to `file` with the same salt (checked), or undefined; its texts are
 * read, and checked all at once, on the first call of `text`. Only the first two lines are read now.
 */
export function openPack(file: string, salt: string): OpenPack | undefined {
  try {
    const head = readHead(file);
    if (!head || head.checksums.slice(0, 64) !== sha256(salt, head.header)) return undefined;
    const [data, lengths] = JSON.parse(head.header.toString('utf8')) as [unknown, number[]];
    if (!Array.isArray(lengths)) return undefined;
    let texts: string[] | null | undefined;
    const read = (): string[] | null => {
      try {
        const bytes = readFileSync(file);
        const body = bytes.subarray(head.bodyStart);
        if (bytes.subarray(0, CHECKSUMS).toString('latin1') !== head.checksums || head.checksums.slice(64) !== sha256('', body)) return null;
        const all: string[] = [];
        let offset = 0;
        for (const length of lengths) {
          all.push(body.toString('utf8', offset, offset + length));
          offset += length;
        }
        return offset === body.length ? all : null;
      } catch {
        return null;
      }
    };
    return {
      data,
      count: lengths.length,
      text(index) {
        texts ??= read();
        return texts?.[index];
      },
    };
  } catch {
    return undefined;
  }
}

/** The first read of a pack: most headers fit (a render shard's of 300 apps: 400 KB), and no pack is read much beyond it. */
const FIRST_READ = 512 * 1024;

/** The checksum line and the header line of a pack: a first read, then (a larger header) the rest of the file. */
function readHead(file: string): { readonly checksums: string; readonly header: Buffer; readonly bodyStart: number } | undefined {
  const fd = openSync(file, 'r');
  try {
    // One byte past the end, so that a read at the end returns nothing rather than filling the buffer.
    const whole = fstatSync(fd).size + 1;
    let bytes = Buffer.allocUnsafe(Math.min(FIRST_READ, whole));
    let length = 0;
    for (;;) {
      if (length === bytes.length) {
        // The rest of the file at once (a file that grew since, in doubling steps).
        const larger = Buffer.allocUnsafe(Math.max(whole, bytes.length * 2));
        bytes.copy(larger, 0, 0, length);
        bytes = larger;
      }
      const read = readSync(fd, bytes, length, bytes.length - length, length);
      if (read === 0) return undefined;
      const end = bytes.indexOf(0x0a, Math.max(CHECKSUMS + 1, length));
      length += read;
      if (end === -1 || end >= length) continue;
      if (bytes[CHECKSUMS] !== 0x0a) return undefined;
      return { checksums: bytes.toString('latin1', 0, CHECKSUMS), header: bytes.subarray(CHECKSUMS + 1, end), bodyStart: end + 1 };
    }
  } finally {
    closeSync(fd);
  }
}
