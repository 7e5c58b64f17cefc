/**
 * Remembers which rendered objects were found valid, by a hash of their bytes, the checks' code and
 * settings, so that a run where nothing changed does not validate every object again. Only "valid"
 * verdicts are kept; a missing, corrupt or foreign cache file just means validating again.
 *
 * The file is a header line and one verdict per line (64 hex digits), oldest first. A run that asks
 * about a few objects (one app rendered again) searches the file's bytes for them; one that asks about
 * many reads every line into a set once. New verdicts are appended, the oldest dropped past
 * {@link MAX_ENTRIES}.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';
import { contentHash } from '../files/content-hash.ts';

const HASH = /^[a-f0-9]{64}$/;
/** Most verdicts kept: enough for tens of thousands of objects, a few MB at most. */
const MAX_ENTRIES = 200_000;
/** Bytes of one verdict's line. */
const LINE = 65;
/** Questions answered by searching the file before its verdicts are read into a set. */
const SEARCHES = 64;

/** Where a process keeps its verdicts, and the version of the checks (the launcher's hash of the code that checks). */
export interface ValidationCacheSettings {
  readonly file: string;
  readonly version: string;
}

/** Valid-object verdicts for one version of the checks. */
export class ValidationCache {
  /** Every verdict, once read into a set. */
  private all?: Set<string>;
  private readonly added = new Set<string>();
  private searches = 0;

  private constructor(
    private readonly file: string | undefined,
    private readonly version: string,
    /** The file's verdict lines (empty when it is missing or another version's). */
    private readonly lines: Buffer,
  ) {}

  /** The cache `settings` describe, or an empty one that is never saved (verdicts not kept). */
  static open(settings: ValidationCacheSettings | undefined): ValidationCache {
    const file = settings?.file;
    const version = settings?.version ?? '';
    let lines = Buffer.alloc(0);
    if (file) {
      try {
        const bytes = readFileSync(file);
        const header = Buffer.from(`v1 ${version}\n`);
        if (bytes.subarray(0, header.length).equals(header)) lines = bytes.subarray(header.length);
      } catch {}
    }
    return new ValidationCache(file, version, lines);
  }

  /** The key of an object whose bytes have this `sha256`, under `settings` (everything else a verdict depends on). */
  keyOf(settings: string, sha256: string): string {
    return contentHash(`${settings}\0${sha256}`);
  }

  /** True when an object with this key was found valid before. */
  isKnownValid(key: string): boolean {
    if (this.added.has(key)) return true;
    if (!this.all && this.searches++ < SEARCHES) return this.fileHolds(key);
    return this.verdicts().has(key);
  }

  /** Records that the object with this key is valid. */
  recordValid(key: string): void {
    if (!this.isKnownValid(key)) this.added.add(key);
  }

  /** The verdicts recorded since the cache was opened (a worker hands them to the main thread). */
  recorded(): readonly string[] {
    return [...this.added];
  }

  /** Writes the verdicts back (atomically) when there are new ones; a failure to write is ignored. */
  save(): void {
    if (!this.file || this.added.size === 0) return;
    const added = Buffer.from([...this.added].map((key) => `${key}\n`).join(''));
    // Whole lines are kept as they are, the oldest dropped; a damaged file is written anew from its valid lines.
    const kept =
      this.lines.length % LINE === 0
        ? this.lines
        : Buffer.from(
            [...this.verdicts()]
              .filter((key) => !this.added.has(key))
              .map((key) => `${key}\n`)
              .join(''),
          );
    const over = Math.max(0, kept.length / LINE + this.added.size - MAX_ENTRIES);
    const temporary = `${this.file}.${process.pid}.${threadId}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(temporary, Buffer.concat([Buffer.from(`v1 ${this.version}\n`), kept.subarray(Math.min(over, kept.length / LINE) * LINE), added]));
      renameSync(temporary, this.file);
    } catch {}
  }

  /** Whether the file holds `key` as a line of its own. */
  private fileHolds(key: string): boolean {
    for (let at = this.lines.indexOf(key, 0, 'latin1'); at !== -1; at = this.lines.indexOf(key, at + 1, 'latin1')) {
      if ((at === 0 || this.lines[at - 1] === 0x0a) && this.lines[at + 64] === 0x0a) return true;
    }
    return false;
  }

  /** Every valid line of the file and every verdict added, read into a set once. */
  private verdicts(): Set<string> {
    if (!this.all) {
      this.all = new Set(this.added);
      for (const line of this.lines.toString('latin1').split('\n')) if (HASH.test(line)) this.all.add(line);
    }
    return this.all;
  }
}
