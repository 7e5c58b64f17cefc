/**
 * `pnpm bench [N…] [--runs R]`: generates N synthetic services × 3 environments (default 200 and 2000)
 * in a temporary repository with caches of its own, and reports the wall time and peak memory of
 * `manifold synth` end to end (process start to exit) for a first run, a cold render (and, as its
 * floor, the time this process takes to write the same files), a no-op, a check, one pin changed and
 * one app edited, and of `manifold pin` of a new image against loopback
 * registry and Sigstore, without and with a verify: rule.
 */

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { startRegistry } from '../e2e/registry/docker-registry.ts';
import { pushImage } from '../e2e/registry/push-image.ts';
import { startLoopbackSigstore } from '../e2e/sigstore/loopback-sigstore.ts';
import { newRepository, runManifold } from '../e2e/temp-repo.ts';
import { benchRepository } from './synthetic-repository.ts';

/** One timed run: wall time from process start to exit, and the process's peak memory. */
interface Sample {
  readonly ms: number;
  readonly peakMiB: number;
}

const PEAK_FILE = join(tmpdir(), `manifold-bench-peak-${process.pid}`);

async function timeRun(root: string, args: readonly string[], env: Record<string, string>): Promise<Sample> {
  const started = process.hrtime.bigint();
  const run = await runManifold(root, [...args], {
    env: { ...env, NODE_OPTIONS: `--import=${join(import.meta.dirname, 'peak-memory.mjs')}`, MANIFOLD_BENCH_PEAK: PEAK_FILE },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.code !== 0) throw new Error(`manifold ${args.join(' ')} failed:\n${run.stderr}${run.stdout}`);
  return { ms, peakMiB: Number(await readFile(PEAK_FILE, 'utf8')) / 1024 };
}

/**
 * Where the bench puts what it removes between runs until every run is measured. On a file system
 * mounted with online discard (as ext4 often is on VMs), removing tens of thousands of files makes
 * creating files slow for minutes after (measured on a 2-core VM: 30,000 files in 1.0 s, then 19.5 s
 * right after removing 30,000 files, 7.8 s a minute later); a cold run that followed the removal of the
 * previous run's dist/ would measure that, which no synth on a fresh checkout pays.
 */
const REMOVED = join(import.meta.dirname, '..', '.cache', 'bench-removed');
const SET_ASIDE = join(REMOVED, String(process.pid));
let setAsideCount = 0;

/** Moves `path` (if it exists) out of the repository, to be removed once the bench is done. */
async function setAside(path: string): Promise<void> {
  await mkdir(SET_ASIDE, { recursive: true });
  await rename(path, join(SET_ASIDE, String(setAsideCount++))).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** The folder of the render and bundle caches of the repository at `root` (its own node_modules/.cache). */
const cacheDir = (root: string) => join(root, 'node_modules', '.cache', 'manifold');

/**
 * Waits until what earlier runs wrote is on the disk (`sync`; nothing where there is no such command),
 * so that no timed run shares the disk with the writeback of the one before: right after 150,000 files
 * were written, a no-op synth of 10,000 services took 0.99 s instead of 0.79.
 */
function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

/** Runs `prepare` then a timed `args` run (`args()`: the arguments as prepared), `runs` times; the medians. */
async function scenario(
  root: string,
  runs: number,
  args: readonly string[] | (() => readonly string[]),
  prepare: (run: number) => Promise<void> = async () => {},
  env: Record<string, string> = {},
): Promise<Sample> {
  const samples: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    await prepare(run);
    settleDisk();
    samples.push(await timeRun(root, typeof args === 'function' ? args() : args, env));
  }
  return { ms: median(samples.map((sample) => sample.ms)), peakMiB: median(samples.map((sample) => sample.peakMiB)) };
}

async function measure(services: number, runs: number): Promise<[string, Sample][]> {
  const root = await benchRepository(services);
  const results: [string, Sample][] = [];
  const emptyCaches = () => setAside(cacheDir(root));
  const emptyDist = () => setAside(join(root, 'dist'));
  // A first run on a fresh checkout: nothing compiled, nothing rendered, no dist/.
  results.push(['first run (no caches, no dist/)', await scenario(root, 1, ['synth'], async () => Promise.all([emptyCaches(), emptyDist()]).then(() => {}))]);
  results.push([
    'cold (compiled, no renders, no dist/)',
    await scenario(root, runs, ['synth'], async () => {
      await setAside(join(cacheDir(root), 'renders'));
      await emptyDist();
    }),
  ]);
  results.push(['disk-write floor (the same files, written by node)', await writeFloor(root, runs)]);
  results.push(['nothing changed', await scenario(root, runs, ['synth'])]);
  results.push(['synth --check', await scenario(root, runs, ['synth', '--check'])]);
  const images = join(root, 'overlays', 'dev', 'images.yaml');
  const pinned = await readFile(images, 'utf8');
  results.push([
    'one pin changed',
    await scenario(root, runs, ['synth'], async (run) => {
      await writeFile(
        images,
        pinned.replace(/(svc-0000:\n {2}app:\n {4}ref: [^:]+:main-[a-f0-9]+-)([0-9]+)/, (_, head: string, ts: string) => `${head}${Number(ts) + run + 1}`),
      );
    }),
  ]);
  const app = join(root, 'apps', 'svc-0001', 'src', 'index.ts');
  const code = await readFile(app, 'utf8');
  results.push([
    'one app edited',
    await scenario(root, runs, ['synth'], async (run) => {
      await writeFile(app, code.replace("SERVICE: 'svc-0001'", `SERVICE: 'svc-0001', EDIT: '${run}'`));
    }),
  ]);
  results.push(...(await pinScenarios(root, runs)));
  await setAside(root);
  return results;
}

/**
 * What writing dist/ costs with nothing else to do: every file the cold run wrote, read into memory
 * first (not timed), then written by this process into a fresh folder the way synth writes (a
 * folder per app, one synchronous write per file). The cold run's time over this is the share of
 * synth that is not the disk's.
 */
async function writeFloor(root: string, runs: number): Promise<Sample> {
  const dist = join(root, 'dist');
  const files = (await readdir(dist, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dist, join(entry.parentPath, entry.name)));
  const contents = files.map((path) => [path, readFileSync(join(dist, path))] as const);
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const target = join(root, `.floor-${run}`);
    settleDisk();
    const started = process.hrtime.bigint();
    const made = new Set<string>();
    for (const [path, bytes] of contents) {
      const folder = dirname(join(target, path));
      if (!made.has(folder)) mkdirSync(folder, { recursive: true });
      made.add(folder);
      writeFileSync(join(target, path), bytes);
    }
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    await setAside(target);
  }
  return { ms: median(samples), peakMiB: Number.NaN };
}

/**
 * `pin` of a new image into dev against the loopback registry and Sigstore the tests use: without a
 * verify: rule, then with one (referrers lookup, bundle download, Sigstore checks of a signature made
 * for the run).
 */
async function pinScenarios(root: string, runs: number): Promise<[string, Sample][]> {
  const registry = await startRegistry('open');
  const sigstore = await startLoopbackSigstore();
  try {
    const env = { MANIFOLD_INSECURE_REGISTRIES: registry.host };
    const builder = {
      identity: 'https://github.com/acme/platform/.github/workflows/build-and-pin.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    };
    let pushed = 0;
    const tag = () => `main-${String(pushed).padStart(7, '0')}-${1733600000 + pushed}`;
    const pinArgs = () => ['pin', 'dev', `svc-0002/app=${registry.host}/acme/svc-0002:${tag()}`];
    /** Pushes and signs the next image (the one {@link pinArgs} names). */
    const signedImage = async () => {
      pushed += 1;
      const digest = await pushImage(registry, 'acme/svc-0002', tag(), 'manifest');
      await sigstore.attach(registry, 'acme/svc-0002', digest, await sigstore.sign(builder, digest));
    };
    const unverified = await scenario(root, runs, pinArgs, signedImage, env);
    await mkdir(join(root, 'sigstore'));
    await writeFile(join(root, 'sigstore/trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
    const file = join(root, 'overlays/dev/environment.yaml');
    const rule = `trustedRoot: sigstore/trusted_root.json\nverify:\n  - images: ${registry.host.replace(/:\d+$/, ':*')}/acme/**\n    keyless:\n      issuer: ${builder.issuer}\n      identity: ^https://github\\.com/acme/platform/\n`;
    await writeFile(file, `${await readFile(file, 'utf8')}${rule}`);
    await timeRun(root, ['synth'], env); // the new rule re-renders dev once; the pins that follow do not pay for it
    const verified = await scenario(root, runs, pinArgs, signedImage, env);
    return [
      ['pin (no verify: rule)', unverified],
      ['pin with signature verification', verified],
    ];
  } finally {
    await registry.stop();
    await sigstore.stop();
  }
}

/** 60,000 pins (2.8 MB) in one images.yaml, which synth must read and refuse (no app uses them). */
async function largeOverlay(): Promise<Sample> {
  const large = await newRepository(join(import.meta.dirname, '..', '.cache', 'bench'));
  await mkdir(join(large, 'apps'));
  await mkdir(join(large, 'overlays', 'dev'), { recursive: true });
  await writeFile(join(large, 'overlays', 'dev', 'environment.yaml'), 'namespace: bench-dev\ndomain: dev.bench.example\n');
  const largePins = Array.from({ length: 60_000 }, (_, index) => {
    const digest = createHash('sha256').update(String(index)).digest('hex');
    return `svc-${index}:\n  app:\n    ref: ghcr.io/acme/svc-${index}:main-abc1234-${1732150000 + index}@sha256:${digest}\n`;
  });
  await writeFile(join(large, 'overlays', 'dev', 'images.yaml'), largePins.join(''));
  const samples: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = process.hrtime.bigint();
    const refused = await runManifold(large, ['synth', '--check', 'dev']);
    if (refused.code !== 2) throw new Error(`expected the large overlay to be refused:\n${refused.stderr}`);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await setAside(large);
  return { ms: median(samples), peakMiB: Number.NaN };
}

const USAGE = `usage: pnpm bench [N…] [--runs R]
  Synthesizes N generated services × 3 environments (default: 200 and 2000) in temporary copies and
  prints, per scenario (first run, cold and the disk-write floor of its files, nothing changed,
  synth --check, one pin changed, one app edited, pin of a new image without and with signature
  verification on loopback), the median wall time and peak memory of R runs (default 3), and the
  cold run's time over the floor's.`;

/** The command line, or a usage error (exit 2) before anything runs. */
function parseCommandLine(): { runs: number; sizes: number[] } {
  try {
    const { values, positionals } = parseArgs({ options: { runs: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const runs = values.runs === undefined ? 3 : Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of runs, got "${values.runs}"`);
    const bad = positionals.find((value) => !/^[1-9][0-9]*$/.test(value));
    if (bad !== undefined) throw new Error(`"${bad}" is not a number of services`);
    return { runs, sizes: positionals.map(Number) };
  } catch (error) {
    console.error(`pnpm bench: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const { runs, sizes } = parseCommandLine();
const table: string[][] = [['scenario', ...(sizes.length > 0 ? sizes : [200, 2000]).flatMap((n) => [`W${n} ms`, `W${n} MiB`])]];
const columns: Map<string, string[]> = new Map();
for (const services of sizes.length > 0 ? sizes : [200, 2000]) {
  for (const [name, sample] of await measure(services, runs)) {
    columns.set(name, [...(columns.get(name) ?? []), sample.ms.toFixed(0), sample.peakMiB.toFixed(0)]);
  }
}
for (const [name, cells] of columns) table.push([name, ...cells.map((cell) => (cell === 'NaN' ? '' : cell))]);
const coldName = 'cold (compiled, no renders, no dist/)';
const floorName = 'disk-write floor (the same files, written by node)';
const ratios = (columns.get(coldName) ?? []).flatMap((cell, index) => (index % 2 === 0 ? [Number(cell) / Number(columns.get(floorName)?.[index])] : []));
const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length))) ?? [];
console.log(`manifold synth, N services × 3 environments, median of ${runs} runs (first run: 1), wall time from process start to exit and peak memory:`);
for (const row of table) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  '));
console.log(
  `cold synth ÷ disk-write floor: ${ratios.map((ratio, index) => `W${(sizes.length > 0 ? sizes : [200, 2000])[index]} ${ratio.toFixed(1)}×`).join(', ')}`,
);
console.log(`60,000-pin images.yaml read and refused: ${(await largeOverlay()).ms.toFixed(0)} ms (median of 3)`);
await rm(PEAK_FILE, { force: true });
// Also what an interrupted bench left.
await rm(REMOVED, { recursive: true, force: true, maxRetries: 3 });
