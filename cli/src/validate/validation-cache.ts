/**
 * Remembers which rendered objects were found valid, by a hash of their bytes, the checks' code and
 * settings, so that a run where nothing changed does not validate every object again. Only "valid"
 * verdicts are kept; a missing, corrupt or foreign cache file just means validating again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

const HASH = /^[a-f0-9]{64}$/;
/** Most verdicts kept: enough for tens of thousands of objects, a few MB at most. */
const MAX_ENTRIES = 200_000;

/** Where a process keeps its verdicts, and the version of the checks (the launcher's hash of the code that checks). */
export interface ValidationCacheSettings {
  readonly file: string;
  readonly version: string;
}

/** Valid-object verdicts for one version of the checks. */
export class ValidationCache {
  private readonly known: Set<string>;
  private readonly added: string[] = [];

  private constructor(
    private readonly file: string | undefined,
    private readonly version: string,
    known: Iterable<string>,
  ) {
    this.known = new Set(known);
  }

  /** The cache `settings` describe, or an empty one that is never saved (verdicts not kept). */
  static open(settings: ValidationCacheSettings | undefined): ValidationCache {
    const file = settings?.file;
    const version = settings?.version ?? '';
    let lines: string[] = [];
    if (file) {
      try {
        const [header, ...rest] = readFileSync(file, 'utf8').split('\n');
        if (header === `v1 ${version}`) lines = rest.filter((line) => HASH.test(line));
      } catch {}
    }
    return new ValidationCache(file, version, lines);
  }

  /** The key of an object whose bytes have this `sha256`, under `settings` (everything else a verdict depends on). */
  keyOf(settings: string, sha256: string): string {
    return createHash('sha256').update(settings).update('\0').update(sha256).digest('hex');
  }

  /** True when an object with this key was found valid before. */
  isKnownValid(key: string): boolean {
    return this.known.has(key);
  }

  /** Records that the object with this key is valid. */
  recordValid(key: string): void {
    if (this.known.has(key)) return;
    this.known.add(key);
    this.added.push(key);
  }

  /** The verdicts recorded since the cache was opened (a worker hands them to the main thread). */
  recorded(): readonly string[] {
    return this.added;
  }

  /** Writes the verdicts back (atomically) when there are new ones; a failure to write is ignored. */
  save(): void {
    if (!this.file || this.added.length === 0) return;
    const entries = [...this.known].slice(-MAX_ENTRIES);
    const temporary = `${this.file}.${process.pid}.${threadId}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(temporary, `v1 ${this.version}\n${entries.join('\n')}\n`);
      renameSync(temporary, this.file);
    } catch {}
  }
}
