/**
 * Gives the test run its own temporary folder (TMPDIR, inherited by every worker and child), builds
 * the example repository the tests work on in it (e2e/fixtures/example, synthesized once), and
 * removes the folder afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareExample } from './e2e/temp-repo.ts';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'manifold-tests-'));
  process.env.TMPDIR = dir;
  prepareExample(join(dir, 'example'));
  return () => rmSync(dir, { recursive: true, force: true });
}
