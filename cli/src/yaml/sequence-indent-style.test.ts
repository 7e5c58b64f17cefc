import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveSequenceIndentStyle } from './sequence-indent-style.ts';

const SETTERS = join(import.meta.dirname, '../flux/testdata/upstream/image-automation-controller/internal/update/testdata/setters');

describe('deriveSequenceIndentStyle', () => {
  it('sees wide and compact sequences', () => {
    expect(deriveSequenceIndentStyle('a:\n  - x\n')).toBe('wide');
    expect(deriveSequenceIndentStyle('a:\n- x\n')).toBe('compact');
  });

  it('defaults to compact when no sequence qualifies', () => {
    expect(deriveSequenceIndentStyle('a: b\n')).toBe('compact');
  });

  it('skips comments and lines that are not a lone key', () => {
    expect(deriveSequenceIndentStyle('a: # note\n  # c\n  - x\n')).toBe('wide');
    expect(deriveSequenceIndentStyle('a: b\n- x\nc:\n  - y\n')).toBe('wide');
  });

  it('falls into the block-scalar trap exactly as Flux does', () => {
    expect(deriveSequenceIndentStyle('data:\n  cfg: |\n    k:\n    - v\nlist:\n  - x\n')).toBe('compact');
  });

  it("agrees with Flux's own fixtures", async () => {
    expect(deriveSequenceIndentStyle(await readFile(join(SETTERS, 'original/marked.yaml'), 'utf8'))).toBe('compact');
    expect(deriveSequenceIndentStyle(await readFile(join(SETTERS, 'original/kustomization.yml'), 'utf8'))).toBe('wide');
  });
});
