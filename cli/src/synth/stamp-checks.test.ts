import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contentHash } from '../files/content-hash.ts';
import { type StampFolder, verifiedStamp, writeStamp } from './environment-stamps.ts';
import { StampChecks } from './stamp-checks.ts';

describe('stamp checks on a worker thread', () => {
  let scratch: string;
  /** The worker's module, compiled as the launcher compiles it. */
  let script: string;
  let root: string;
  let cache: StampFolder;
  const envs = ['dev', 'prod', 'qa', 'staging'];
  const text = 'kind: Deployment\n';

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'manifold-stamp-checks-'));
    const outfile = join(scratch, 'stamp-worker.mjs');
    await build({ entryPoints: [join(import.meta.dirname, 'stamp-worker.ts')], bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'silent' });
    script = pathToFileURL(outfile).href;
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeEach(async () => {
    root = mkdtempSync(join(scratch, 'repo-'));
    cache = { dir: join(root, 'cache') };
    for (const env of envs) {
      mkdirSync(join(root, 'dist', env, 'web'), { recursive: true });
      writeFileSync(join(root, 'dist', env, 'web', 'deployment-web.yaml'), text);
      const hashes = new Map([['web/deployment-web.yaml', contentHash(text)]]);
      await writeStamp(root, env, cache, 'recorded', { foreign: [], hashes });
    }
    // dev's inputs moved; qa's file was touched; prod and staging are as their stamps recorded.
    utimesSync(join(root, 'dist', 'qa', 'web', 'deployment-web.yaml'), 1, 1);
  });

  const keys = () => new Map(envs.map((env) => [env, env === 'dev' ? 'moved' : 'recorded']));

  /** What each environment's check says, asked for in order as synth asks. */
  async function outcomes(checks: StampChecks) {
    const seen = [];
    for (const env of envs) seen.push({ env, renders: await checks.renders(env), check: await checks.check(env) });
    checks.close();
    return seen;
  }

  it('answers as the main thread would, whichever thread took each environment', async () => {
    const expected = await outcomes(StampChecks.start(root, keys(), cache, undefined));
    expect(expected.map(({ env, renders }) => [env, renders])).toEqual([
      ['dev', true],
      ['prod', false],
      ['qa', true],
      ['staging', false],
    ]);
    expect(expected[0]?.check.known?.vouched).toEqual(new Map([['web/deployment-web.yaml', contentHash(text)]]));
    for (const [at, env] of envs.entries()) expect(expected[at]?.check).toEqual(await verifiedStamp(root, env, keys().get(env), cache));
    // Several runs, so that the worker and the main thread split the environments in different ways.
    for (let run = 0; run < 5; run++) expect(await outcomes(StampChecks.start(root, keys(), cache, script))).toEqual(expected);
  });

  it('has the worker answer each environment nobody took with its check', async () => {
    const environments = envs.map((env) => ({ env, key: keys().get(env) ?? '' }));
    const claims = new Int32Array(new SharedArrayBuffer(envs.length * 4));
    // The main thread took qa.
    claims[2] = 2;
    const worker = new Worker(new URL(script), { workerData: { root, cache, environments, claims } });
    const replies: unknown[] = [];
    worker.on('message', (reply) => replies.push(reply));
    await new Promise((resolve) => worker.on('exit', resolve));
    const answered = ['dev', 'prod', 'staging'];
    const checks = await Promise.all(answered.map((env) => verifiedStamp(root, env, keys().get(env), cache)));
    expect(replies).toEqual(answered.map((env, at) => ({ env, check: checks[at] })));
    expect([...claims]).toEqual([1, 1, 2, 1]);
  });

  it('has the main thread check every environment nobody took while it waits for the worker', async () => {
    // dev is current (its check is waited for before anything renders); qa's inputs moved, so a worker starts.
    const waiting = new Map(envs.map((env) => [env, env === 'qa' ? 'moved' : 'recorded']));
    const expected = await outcomes(StampChecks.start(root, waiting, cache, undefined));
    // A worker that takes nothing and never answers: the main thread must not wait for it.
    const silent = join(scratch, 'silent-worker.mjs');
    writeFileSync(silent, 'setInterval(() => {}, 1 << 30);\n');
    expect(await outcomes(StampChecks.start(root, waiting, cache, pathToFileURL(silent).href))).toEqual(expected);
  });

  it('makes every check on the main thread when the worker fails', async () => {
    const expected = await outcomes(StampChecks.start(root, keys(), cache, undefined));
    const broken = join(scratch, 'broken-worker.mjs');
    writeFileSync(broken, 'throw new Error("no worker today");\n');
    expect(await outcomes(StampChecks.start(root, keys(), cache, pathToFileURL(broken).href))).toEqual(expected);
  });
});
