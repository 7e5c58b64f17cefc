/**
 * Renovate itself for tests, installed from the npm registry on first use into the repository's
 * ignored .cache/ (it is large and only this test needs it). The current line: it needs Node.js 24.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../temp-repo.ts';

const run = promisify(execFile);

/** The Renovate version the tests run. */
export const RENOVATE_VERSION = '44.121.2';

const CACHE = join(REPO_ROOT, '.cache', `renovate-${RENOVATE_VERSION}`);
const BIN = join(CACHE, 'node_modules', 'renovate', 'dist', 'renovate.js');

/** The path of Renovate's entry script, installing it into .cache/ when it is not there yet. */
export async function renovateBinary(): Promise<string> {
  if (existsSync(BIN)) return BIN;
  await mkdir(CACHE, { recursive: true });
  // --ignore-scripts: no native builds (Renovate falls back to JavaScript regular expressions).
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', '--prefix', CACHE, `renovate@${RENOVATE_VERSION}`], {
    cwd: CACHE,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
  if (!existsSync(BIN)) throw new Error(`npm install renovate@${RENOVATE_VERSION} did not produce ${BIN}`);
  return BIN;
}
