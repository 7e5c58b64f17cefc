/**
 * go-yaml itself, as the tests ask it: `oracle.go` built once per source (into .cache/go-yaml-oracle)
 * with Debian's Go toolchain against Debian's go-yaml v3.0.1 (`pnpm test:setup` installs both), and
 * run on a batch of documents. The image-automation-controller reads and writes YAML with go-yaml v3
 * (through kyaml), so what it answers is what the controller parses and writes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const SOURCE = join(import.meta.dirname, 'oracle.go');
/** Where Debian's golang-gopkg-yaml.v3-dev puts go-yaml, in GOPATH layout. */
const DEBIAN_GOPATH = '/usr/share/gocode';

/** What go-yaml makes of one document. */
export interface GoYamlResult {
  /** The document as go-yaml's encoder writes it back (indent 2), when it parsed. */
  readonly text?: string;
  /** The node tree, with comments where go-yaml attaches them. */
  readonly tree?: GoYamlNode;
  /** The decoded value, as JSON (mapping keys as their text). */
  readonly value?: unknown;
  readonly error?: string;
}

/** One node of go-yaml's tree. */
export interface GoYamlNode {
  readonly kind: 'document' | 'sequence' | 'mapping' | 'scalar' | 'alias';
  readonly style?: string;
  readonly tag?: string;
  readonly value?: string;
  readonly anchor?: string;
  readonly head?: string;
  readonly line?: string;
  readonly foot?: string;
  readonly content?: readonly GoYamlNode[];
}

/** Whether the Go toolchain and go-yaml are installed (without them, tests fall back to committed oracle answers). */
export function goYamlAvailable(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    return false;
  }
  return existsSync(join(DEBIAN_GOPATH, 'src', 'gopkg.in', 'yaml.v3', 'yaml.go'));
}

let built: string | undefined;

/** The oracle binary, built on first use (and again only when oracle.go changes). */
function oracleBinary(): string {
  if (built) return built;
  const source = readFileSync(SOURCE);
  const dir = join(REPO_ROOT, '.cache', 'go-yaml-oracle');
  const binary = join(dir, `oracle-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`);
  if (!existsSync(binary)) {
    if (!goYamlAvailable()) throw new Error('the go-yaml oracle needs Go and go-yaml v3: pnpm test:setup installs golang-go and golang-gopkg-yaml.v3-dev');
    mkdirSync(dir, { recursive: true });
    execFileSync('go', ['build', '-o', binary, SOURCE], {
      env: { ...process.env, GO111MODULE: 'off', GOPATH: DEBIAN_GOPATH, GOCACHE: join(dir, 'build-cache'), GOFLAGS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  built = binary;
  return binary;
}

/** What go-yaml makes of each of `documents`. */
export function goYaml(documents: readonly string[]): GoYamlResult[] {
  const answer = execFileSync(oracleBinary(), { input: JSON.stringify(documents), maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(answer.toString('utf8')) as GoYamlResult[];
}
