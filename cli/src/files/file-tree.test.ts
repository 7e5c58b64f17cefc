import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listTree } from './file-tree.ts';

describe('listTree', () => {
  it('lists every entry below a folder, and a linked folder as one entry, never what it links to', () => {
    const root = mkdtempSync(join(tmpdir(), 'manifold-tree-'));
    try {
      mkdirSync(join(root, 'tree', 'web'), { recursive: true });
      mkdirSync(join(root, 'elsewhere'));
      writeFileSync(join(root, 'tree', 'web', 'deployment.yaml'), 'kind: Deployment\n');
      writeFileSync(join(root, 'elsewhere', 'secret.txt'), 'not for listing\n');
      symlinkSync(join(root, 'elsewhere'), join(root, 'tree', 'linked'));
      const entries = listTree(join(root, 'tree')).map((entry) => [relative(join(root, 'tree'), join(entry.parentPath, entry.name)), entry.isSymbolicLink()]);
      expect(entries.sort()).toEqual([
        ['linked', true],
        ['web', false],
        ['web/deployment.yaml', false],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
