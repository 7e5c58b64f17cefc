/**
 * Remembered verdicts: a signature never changes for a digest, so once a digest met a rule under a
 * trusted root, `manifold verify` need not ask the registry again. Only successes are kept (a digest
 * refused today may be signed tomorrow); the key covers the digest, the rule and the trusted root's
 * bytes, so a changed policy or trust asks again. The file lives in the disposable cache folder.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PinEvidence as Evidence } from '../config/images-schema.ts';
import type { VerifyRule } from '../config/verify-policy.ts';
import { replaceFile } from '../files/replace-file.ts';

/** Most verdicts kept: the oldest go first. */
const MAX_ENTRIES = 20_000;

/** Verdicts by key, read once and written back by {@link VerificationCache.save}. */
export class VerificationCache {
  private readonly entries: Map<string, Evidence>;
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    entries: Map<string, Evidence>,
  ) {
    this.entries = entries;
  }

  /** The cache in `file` (none: nothing is remembered); a damaged file is an empty cache. */
  static open(file: string | undefined): VerificationCache {
    if (file === undefined) return new VerificationCache(undefined, new Map());
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      const entries = Array.isArray(parsed) ? parsed.filter(isEntry) : [];
      return new VerificationCache(file, new Map(entries));
    } catch {
      return new VerificationCache(file, new Map());
    }
  }

  /** The key of a verdict on `digest` under `rule` with the trusted root `trustedRoot` (its bytes). */
  static key(digest: string, rule: VerifyRule, trustedRoot: string): string {
    return createHash('sha256')
      .update(`${digest}\0${JSON.stringify(rule)}\0${trustedRoot}`)
      .digest('hex');
  }

  get(key: string): Evidence | undefined {
    return this.entries.get(key);
  }

  set(key: string, evidence: Evidence): void {
    this.entries.delete(key);
    this.entries.set(key, evidence);
    this.changed = true;
  }

  /** Writes the verdicts back, the newest {@link MAX_ENTRIES}; a cache that cannot be written is only not remembered. */
  async save(): Promise<void> {
    if (!this.file || !this.changed) return;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await replaceFile(this.file, JSON.stringify([...this.entries].slice(-MAX_ENTRIES)));
    } catch {
      // The next run asks the registry again.
    }
  }
}

function isEntry(value: unknown): value is [string, Evidence] {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string') return false;
  const evidence = value[1] as Partial<Evidence> | null;
  return (
    typeof evidence === 'object' &&
    evidence !== null &&
    ['identity', 'issuer', 'logIndex', 'time'].every((field) => typeof evidence[field as keyof Evidence] === 'string')
  );
}
