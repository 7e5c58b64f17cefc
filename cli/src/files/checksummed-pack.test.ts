import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPack, readPack, writePack } from './checksummed-pack.ts';

describe('checksummed packs', () => {
  let dir: string;
  let file: string;
  // Texts with line breaks, JSON syntax, multi-byte and non-BMP characters, and an empty one.
  const pack = { data: { renders: [['web', 'key', { objects: 2 }]] }, texts: ['kind: Deployment\nname: "web"\n', '', 'ä: ✓ 😀\n}\n'] };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifold-pack-'));
    file = join(dir, 'nested', 'dev.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back the data and every text as written', () => {
    writePack(file, 'salt-1', pack);
    expect(readPack(file, 'salt-1')).toEqual(pack);
  });

  it('reads nothing from a file with another salt, a changed byte anywhere, or a missing end', () => {
    writePack(file, 'salt-1', pack);
    const bytes = readFileSync(file);
    expect(readPack(file, 'salt-2')).toBeUndefined();
    for (const at of [0, 70, bytes.length - 3]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = (damaged[at] ?? 0) ^ 1;
      writeFileSync(file, damaged);
      expect(readPack(file, 'salt-1')).toBeUndefined();
    }
    writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    expect(readPack(file, 'salt-1')).toBeUndefined();
    expect(readPack(join(dir, 'missing.json'), 'salt-1')).toBeUndefined();
  });

  it('opens a pack by its data alone, and reads its texts (all checked) only when asked for', () => {
    writePack(file, 'salt-1', pack);
    const bytes = readFileSync(file);
    const damaged = Buffer.from(bytes);
    damaged[bytes.length - 3] = (damaged[bytes.length - 3] ?? 0) ^ 1;
    writeFileSync(file, damaged);
    const opened = openPack(file, 'salt-1');
    expect([opened?.data, opened?.count]).toEqual([pack.data, 3]);
    expect(opened?.text(0)).toBeUndefined();
    writeFileSync(file, bytes);
    expect([0, 1, 2].map((index) => openPack(file, 'salt-1')?.text(index))).toEqual(pack.texts);
    expect(openPack(file, 'salt-2')).toBeUndefined();
  });

  it('keeps each open pack to its own file when several are open at once', () => {
    const other = { data: { renders: [['api', 'other-key', { objects: 1 }]] }, texts: ['kind: Service\n'] };
    writePack(file, 'salt-1', pack);
    writePack(join(dir, 'other.json'), 'salt-1', other);
    const [first, second] = [openPack(file, 'salt-1'), openPack(join(dir, 'other.json'), 'salt-1')];
    expect([first?.data, second?.data]).toEqual([pack.data, other.data]);
    expect([first?.text(0), second?.text(0)]).toEqual([pack.texts[0], other.texts[0]]);
  });

  it('reads headers of every size: smaller than a first read, just past it, and many times larger', () => {
    for (const size of [10, 512 * 1024 - 200, 512 * 1024 + 10, 3 * 1024 * 1024]) {
      const large = { data: { filler: 'x'.repeat(size) }, texts: ['after the header\n'] };
      writePack(file, 'salt-1', large);
      expect(readPack(file, 'salt-1')).toEqual(large);
      // Cut inside the header: no line end is found, nothing is read.
      writeFileSync(file, readFileSync(file).subarray(0, 140 + Math.floor(size / 2)));
      expect(openPack(file, 'salt-1')).toBeUndefined();
    }
  });
});
