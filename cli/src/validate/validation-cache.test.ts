import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../files/content-hash.ts';
import { ValidationCache } from './validation-cache.ts';

const file = () => join(tmpdir(), `validated-${Math.random().toString(36).slice(2)}`);

describe('ValidationCache', () => {
  it('remembers valid objects by the sha256 of their bytes and their settings, across runs of the same checks', () => {
    const path = file();
    const first = ValidationCache.open({ file: path, version: 'bundle-a' });
    const key = first.keyOf('restricted', contentHash('kind: Deployment\n'));
    expect(first.isKnownValid(key)).toBe(false);
    first.recordValid(key);
    first.save();
    const second = ValidationCache.open({ file: path, version: 'bundle-a' });
    expect(second.isKnownValid(key)).toBe(true);
    expect(second.isKnownValid(second.keyOf('restricted', contentHash('kind: Deployment\nx: 1\n')))).toBe(false);
    expect(second.isKnownValid(second.keyOf('baseline', contentHash('kind: Deployment\n')))).toBe(false);
  });

  it('trusts nothing from other checks or a damaged file', async () => {
    const path = file();
    const cache = ValidationCache.open({ file: path, version: 'bundle-a' });
    const key = cache.keyOf('restricted', contentHash('kind: Service\n'));
    cache.recordValid(key);
    cache.save();
    expect(ValidationCache.open({ file: path, version: 'bundle-b' }).isKnownValid(key)).toBe(false);
    await writeFile(path, `v1 bundle-a\n${key.slice(0, 40)}\nnot a hash\n`);
    expect(ValidationCache.open({ file: path, version: 'bundle-a' }).isKnownValid(key)).toBe(false);
    await writeFile(path, 'garbage');
    expect(ValidationCache.open({ file: path, version: 'bundle-a' }).isKnownValid(key)).toBe(false);
  });

  it('answers a few questions by searching the file and many from a set, and appends new verdicts', async () => {
    const path = file();
    const keys = Array.from({ length: 100 }, (_, index) => contentHash(`object ${index}`));
    const first = ValidationCache.open({ file: path, version: 'v' });
    for (const key of keys) first.recordValid(key);
    first.save();
    const second = ValidationCache.open({ file: path, version: 'v' });
    // Lines are matched whole: a verdict's first half, or two halves across a line break, are not verdicts.
    expect(second.isKnownValid(`${keys[0]?.slice(32)}${keys[1]?.slice(0, 32)}`)).toBe(false);
    expect(keys.filter((key) => second.isKnownValid(key))).toEqual(keys);
    const extra = contentHash('one more');
    second.recordValid(extra);
    second.recordValid(keys[5] ?? '');
    second.save();
    const text = await readFile(path, 'utf8');
    expect(text).toBe(`v1 v\n${[...keys, extra].map((key) => `${key}\n`).join('')}`);
  });

  it('writes nothing when nothing is new, and nothing at all without a file', async () => {
    const path = file();
    ValidationCache.open({ file: path, version: 'v' }).save();
    await expect(readFile(path)).rejects.toThrow();
    const memory = ValidationCache.open(undefined);
    memory.recordValid(memory.keyOf('', contentHash('x')));
    memory.save();
  });
});
