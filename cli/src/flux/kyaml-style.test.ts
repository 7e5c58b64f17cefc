import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFluxDocuments, serializeFluxDocuments } from './kyaml-style.ts';

const REPO = join(import.meta.dirname, '../../..');

/** What Flux would write for `text` if it rewrote the file without changing a value. */
function fluxRewrite(text: string): string | undefined {
  const documents = parseFluxDocuments(text);
  return documents && serializeFluxDocuments(documents);
}

describe('kyaml style', () => {
  it('leaves every committed manifest and pin file byte for byte as it is', async () => {
    const files = [
      ...(await readdir(join(REPO, 'dist'), { recursive: true })).filter((file) => file.endsWith('.yaml')).map((file) => join('dist', file)),
      ...(await readdir(join(REPO, 'overlays'), { recursive: true })).filter((file) => file.endsWith('.yaml')).map((file) => join('overlays', file)),
    ];
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const text = await readFile(join(REPO, file), 'utf8');
      expect({ file, text: fluxRewrite(text) }).toEqual({ file, text });
    }
  });

  it('keeps a line comment after a key whose value is a block collection on that line', () => {
    expect(fluxRewrite('spec: # 컨테이너\n  containers:\n  - name: c\n')).toBe('spec: # 컨테이너\n  containers:\n  - name: c\n');
  });

  it('keeps the blank line after a document head comment only', () => {
    expect(fluxRewrite('# head\n\na: 1\n\nb: 2\n')).toBe('# head\n\na: 1\nb: 2\n');
  });

  it('drops empty and comment-only documents and a trailing ---', () => {
    expect(fluxRewrite('a: 1\n---\n# only a comment\n---\nb: 2\n---\n')).toBe('a: 1\n---\nb: 2\n');
  });

  it('turns a block scalar with trailing spaces into a double-quoted string', () => {
    expect(fluxRewrite('s: |\n  one  \n  two\n')).toBe('s: "one  \\ntwo\\n"\n');
  });

  it('turns CRLF into LF and adds a final newline', () => {
    expect(fluxRewrite('a: 1\r\nb: 2')).toBe('a: 1\nb: 2\n');
  });
});
