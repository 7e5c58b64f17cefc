/**
 * What the test suite needs beyond the packages `pnpm install` brings (a Node.js of package.json's
 * engines range first): checked before any
 * test runs (`pnpm test`), so a machine without one stops at once with one line naming what to
 * install; `--install` installs what Debian or Ubuntu packages (`pnpm test:setup`).
 *
 * - kubectl: every dist/<env> is built with `kubectl kustomize`.
 * - strace: the atomicity tests kill synth at chosen system calls with strace's fault injection.
 * - chromium: the release board is tested in a real browser (playwright-core downloads none of its own);
 *   CHROMIUM_PATH names another Chromium.
 * - git: flows that push or read history run against real repositories.
 * - go and go-yaml v3 (Debian's golang-go, golang-gopkg-yaml.v3-dev): the Flux simulation is checked
 *   against the real go-yaml, built into a small oracle at test time (e2e/go-yaml/oracle.go).
 * - apt-get and dpkg (or a registry already in .cache/registry): the registry tests run Debian's
 *   docker-registry, downloaded and extracted on first use, never installed.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..');

// Node.js itself first: every other check and test runs on it.
const { engines } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
if (!createRequire(join(REPO_ROOT, 'cli', 'package.json'))('semver').satisfies(process.versions.node, engines.node)) {
  console.error(
    `The tests need Node.js ${engines.node}; this is ${process.version}. Install the line .node-version names (on Linux x86_64: PATH="$(.ci/node.sh ${readFileSync(join(REPO_ROOT, '.node-version'), 'utf8').trim()}):$PATH").`,
  );
  process.exit(1);
}
const REGISTRY = join(REPO_ROOT, '.cache', 'registry', 'root', 'usr', 'bin', 'docker-registry');

/** Each tool: whether it is here, and the Debian package that brings it (none: install it yourself). */
const TOOLS = [
  { name: 'kubectl', present: () => onPath('kubectl'), debian: undefined, how: 'install kubectl (https://kubernetes.io/docs/tasks/tools/)' },
  { name: 'strace', present: () => onPath('strace'), debian: 'strace' },
  { name: 'chromium', present: () => chromium() !== undefined, debian: 'chromium', how: 'install Chromium, or set CHROMIUM_PATH to its binary' },
  { name: 'git', present: () => onPath('git'), debian: 'git' },
  { name: 'go', present: () => onPath('go'), debian: 'golang-go', how: 'install Go (the go-yaml oracle is built with it)' },
  {
    name: 'go-yaml v3',
    present: () => existsSync('/usr/share/gocode/src/gopkg.in/yaml.v3/yaml.go'),
    debian: 'golang-gopkg-yaml.v3-dev',
    how: "the go-yaml differential test builds against Debian's golang-gopkg-yaml.v3-dev",
  },
  {
    name: 'apt-get and dpkg',
    present: () => existsSync(REGISTRY) || (onPath('apt-get') && onPath('dpkg')),
    debian: undefined,
    how: "the registry tests download Debian's docker-registry with apt-get: run them on Debian or Ubuntu (or in a container of one)",
  },
];

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The Chromium the board test launches: CHROMIUM_PATH, else Debian's. */
function chromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(path) ? path : undefined;
}

const missing = TOOLS.filter((tool) => !tool.present());
if (missing.length === 0) process.exit(0);

const installable = missing.filter((tool) => tool.debian);
if (process.argv.includes('--install') && installable.length > 0 && onPath('apt-get')) {
  const packages = installable.map((tool) => tool.debian);
  const [command, ...prefix] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get'];
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...packages],
  ]) {
    const run = spawnSync(command, [...prefix, ...args], { stdio: 'inherit' });
    if (run.status !== 0) {
      console.error(`test:setup: apt-get ${args.join(' ')} failed (exit ${run.status ?? run.signal})`);
      process.exit(1);
    }
  }
}

const still = TOOLS.filter((tool) => !tool.present());
if (still.length === 0) process.exit(0);
const advice = still.map((tool) => (tool.debian ? `${tool.name} (apt-get install ${tool.debian})` : `${tool.name} (${tool.how})`));
const setup = still.some((tool) => tool.debian) ? '; on Debian or Ubuntu, pnpm test:setup installs the apt packages' : '';
console.error(`The tests need ${advice.join(', ')}${setup}.`);
process.exit(1);
