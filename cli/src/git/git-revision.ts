/** Reads files as they were at a git revision, with the real git. */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { EXIT, ManifoldError } from '../errors/manifold-error.ts';

const run = promisify(execFile);

/** The content of `path` at `revision` in the repository at `root`, or undefined when it did not exist there. */
export async function readFileAtRevision(root: string, revision: string, path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['show', `${revision}:${path}`], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    if (/does not exist|exists on disk, but not in/.test(stderr)) return undefined;
    throw new Error(`git show ${revision}:${path} failed: ${stderr.trim() || (error as Error).message}`);
  }
}

/** The commit `revision` names in the repository at `root`, or undefined when it names none (or looks like an option). */
export async function resolveCommit(root: string, revision: string): Promise<string | undefined> {
  if (revision.startsWith('-')) return undefined;
  return run('git', ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], { cwd: root }).then(
    ({ stdout }) => stdout.trim(),
    () => undefined,
  );
}

/** Throws an error (exit 2) saying what `needs` git when `root` is not inside a git work tree. */
export async function requireGitRepository(root: string, needs: string, hint: string): Promise<void> {
  const inside = await run('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root }).then(
    ({ stdout }) => stdout.trim() === 'true',
    () => false,
  );
  if (!inside) throw new ManifoldError(`${needs}, but ${root} is not a git repository`, hint, EXIT.badInput);
}

/** The largest tree {@link readTreeAtRevision} reads (all files together). */
const MAX_TREE_BYTES = 512 * 1024 * 1024;

/**
 * Every file below `dir` at `revision`, by path relative to `dir`, read with one `git ls-tree` and
 * one `git cat-file --batch` (fast for thousands of files). Empty when `dir` did not exist there.
 */
export async function readTreeAtRevision(root: string, revision: string, dir: string): Promise<Map<string, string>> {
  const { stdout: listing } = await run('git', ['ls-tree', '-r', '-z', '--full-tree', revision, '--', dir], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  const blobs = listing
    .split('\0')
    .filter(Boolean)
    .map((entry) => {
      const [meta = '', path = ''] = entry.split('\t');
      const [, type, object] = meta.split(' ');
      return { type, object: object ?? '', path };
    })
    .filter((entry) => entry.type === 'blob');
  const files = new Map<string, string>();
  if (blobs.length === 0) return files;
  const contents = await catBlobs(
    root,
    blobs.map((blob) => blob.object),
  );
  for (const [index, blob] of blobs.entries()) files.set(blob.path.slice(dir.length + 1), contents[index] ?? '');
  return files;
}

/** The contents of `objects` (blob ids), in order, from one `git cat-file --batch`. */
function catBlobs(root: string, objects: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_TREE_BYTES) child.kill();
      else chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (size > MAX_TREE_BYTES) return reject(new Error(`git cat-file: the tree is larger than ${MAX_TREE_BYTES} bytes`));
      if (code !== 0) return reject(new Error(`git cat-file failed: ${stderr.trim()}`));
      const output = Buffer.concat(chunks);
      const contents: string[] = [];
      let offset = 0;
      for (const _ of objects) {
        const headerEnd = output.indexOf(0x0a, offset);
        const length = Number(output.subarray(offset, headerEnd).toString().split(' ')[2]);
        contents.push(output.subarray(headerEnd + 1, headerEnd + 1 + length).toString('utf8'));
        offset = headerEnd + 1 + length + 1;
      }
      resolve(contents);
    });
    child.stdin.end(`${objects.join('\n')}\n`);
  });
}

/** A commit that changed a file: its hash, committer date (ISO 8601) and author name. */
export interface FileCommit {
  readonly commit: string;
  readonly date: string;
  readonly author: string;
}

/** The newest `limit` commits that changed `path` in the history of `revision`, newest first. */
export async function fileCommits(root: string, path: string, limit: number, revision = 'HEAD'): Promise<FileCommit[]> {
  const { stdout } = await run('git', ['log', `--max-count=${limit}`, '--format=%H%x1f%cI%x1f%an', revision, '--', path], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stderr?: string }) => {
    throw new Error(`git log of ${path} failed: ${String(error.stderr ?? error).trim()}`);
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit = '', date = '', author = ''] = line.split('\x1f');
      return { commit, date, author };
    });
}

/** The refs matching `patterns` (for-each-ref patterns such as `refs/heads/flux/`), sorted by name. */
export async function listRefs(root: string, patterns: readonly string[]): Promise<string[]> {
  const { stdout } = await run('git', ['for-each-ref', '--format=%(refname)', ...patterns], { cwd: root });
  return stdout.split('\n').filter(Boolean).sort();
}

/** How many commits `revision` has that `base` does not. */
export async function commitsAhead(root: string, base: string, revision: string): Promise<number> {
  const { stdout } = await run('git', ['rev-list', '--count', `${base}..${revision}`], { cwd: root });
  return Number(stdout.trim());
}

/** The URL of the remote `origin`, or undefined when there is none. */
export async function originUrl(root: string): Promise<string | undefined> {
  return run('git', ['remote', 'get-url', 'origin'], { cwd: root }).then(
    ({ stdout }) => stdout.trim() || undefined,
    () => undefined,
  );
}
