/** The shipped GitHub workflows: third-party actions pinned by commit, and every path they name exists. */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './temp-repo.ts';

const WORKFLOWS = join(REPO_ROOT, '.github/workflows');

async function workflows(): Promise<[string, string][]> {
  const names = (await readdir(WORKFLOWS)).filter((name) => name.endsWith('.yml'));
  return Promise.all(names.map(async (name) => [name, await readFile(join(WORKFLOWS, name), 'utf8')] as [string, string]));
}

describe('the workflows', () => {
  it('pin every action by its full commit SHA, with the version as a comment', async () => {
    const uses = (await workflows()).flatMap(([name, text]) =>
      [...text.matchAll(/uses: (\S+)(.*)$/gm)].map((match) => ({ name, action: match[1] ?? '', rest: match[2] ?? '' })),
    );
    expect(uses.length).toBeGreaterThan(8);
    for (const { name, action, rest } of uses) {
      expect(action, name).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
      expect(rest, `${name} ${action}`).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
  });

  it('run only scripts that exist and watch only paths that exist', async () => {
    for (const [name, text] of await workflows()) {
      for (const [, script] of text.matchAll(/\.github\/scripts\/([\w.-]+\.(?:sh|mjs))/g))
        expect(existsSync(join(REPO_ROOT, '.github/scripts', script ?? '')), `${name}: ${script}`).toBe(true);
      const on = (parse(text) as { on?: Record<string, { paths?: string[] } | null> }).on ?? {};
      for (const trigger of Object.values(on)) {
        for (const path of trigger?.paths ?? []) expect(existsSync(join(REPO_ROOT, path.replace(/\/\*\*.*$/, ''))), `${name}: ${path}`).toBe(true);
      }
    }
  });
});
