/** `manifold trust refresh`: the committed trusted root, refreshed through a TUF repository served on loopback. */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { initializeTUFRepo, tufHandlers } from '@tufjs/repo-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackSigstore, startLoopbackSigstore } from './sigstore/loopback-sigstore.ts';
import { copyRepository, runManifold } from './temp-repo.ts';

/** A TUF repository (signed root, timestamp, snapshot and targets metadata) serving `trusted_root.json` over HTTP on loopback. */
async function serveTufRepository(trustedRoot: string): Promise<{ url: string; rootJson: string; tamper(text: string): void; stop(): Promise<void> }> {
  const repository = initializeTUFRepo([{ name: 'trusted_root.json', content: trustedRoot }]);
  const handlers = tufHandlers(repository, { metadataPathPrefix: '', targetPathPrefix: '/targets' });
  let served: string | undefined;
  const server: Server = createServer((request, response) => {
    if (served !== undefined && request.url?.endsWith('trusted_root.json')) {
      response.writeHead(200).end(served);
      return;
    }
    const handler = handlers.find((candidate) => candidate.path === request.url);
    if (!handler) {
      response.writeHead(404).end();
      return;
    }
    const answer = handler.fn();
    response.writeHead(answer.statusCode, answer.contentType ? { 'Content-Type': answer.contentType } : {}).end(answer.response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rootJson: JSON.stringify(repository.rootMeta.toJSON()),
    tamper: (text) => {
      served = text;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('manifold trust refresh', () => {
  let sigstore: LoopbackSigstore;
  beforeAll(async () => {
    sigstore = await startLoopbackSigstore();
  });
  afterAll(() => sigstore.stop());

  it('writes the trusted root the TUF repository signs, says when it is current, and writes nothing when the target does not match its metadata', async () => {
    const published = JSON.stringify(sigstore.trustedRoot);
    const tuf = await serveTufRepository(published);
    try {
      const root = await copyRepository(undefined, { ownCaches: true });
      await mkdir(join(root, 'sigstore'));
      await writeFile(join(root, 'sigstore/tuf-root.json'), tuf.rootJson);
      const refresh = () => runManifold(root, ['trust', 'refresh', '--mirror', tuf.url, '--tuf-root', 'sigstore/tuf-root.json']);

      const wrote = await refresh();
      expect(wrote.code, wrote.stderr).toBe(0);
      expect(wrote.stdout).toBe(`wrote sigstore/trusted_root.json from ${tuf.url}: review and commit it\n`);
      const written = await readFile(join(root, 'sigstore/trusted_root.json'), 'utf8');
      expect(JSON.parse(written)).toEqual(TrustedRoot.toJSON(TrustedRoot.fromJSON(sigstore.trustedRoot)));
      expect((await refresh()).stdout).toBe(`sigstore/trusted_root.json is current (${tuf.url})\n`);

      // A mirror that serves another trusted root than its signed targets metadata names is refused
      // (in a repository whose TUF cache does not hold the genuine one yet).
      const fresh = await copyRepository(undefined, { ownCaches: true });
      await mkdir(join(fresh, 'sigstore'));
      await writeFile(join(fresh, 'sigstore/tuf-root.json'), tuf.rootJson);
      const other = await startLoopbackSigstore();
      tuf.tamper(JSON.stringify(other.trustedRoot));
      await other.stop();
      const tampered = await runManifold(fresh, ['trust', 'refresh', '--mirror', tuf.url, '--tuf-root', 'sigstore/tuf-root.json']);
      expect(tampered.code).toBe(1);
      expect(tampered.stderr).toMatch(new RegExp(`^cannot refresh the trusted root from ${tuf.url.replaceAll('.', '\\.')}: .+\\n  hint: nothing was written`));
      await expect(readFile(join(fresh, 'sigstore/trusted_root.json'))).rejects.toThrow(/ENOENT/);
      // The repository that has it keeps reading the verified copy of its cache.
      expect((await refresh()).stdout).toBe(`sigstore/trusted_root.json is current (${tuf.url})\n`);
    } finally {
      await tuf.stop();
    }
  });

  it('refuses a mirror over plain HTTP to a public host, a private mirror without its TUF root, and a file outside the repository', async () => {
    const root = await copyRepository(undefined, { ownCaches: true });
    const plain = await runManifold(root, ['trust', 'refresh', '--mirror', 'http://tuf.example.com', '--tuf-root', 'root.json']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('--mirror: http://tuf.example.com is neither HTTPS nor a loopback or private-network host');
    const unrooted = await runManifold(root, ['trust', 'refresh', '--mirror', 'https://tuf.example.com']);
    expect(unrooted.code).toBe(2);
    expect(unrooted.stderr).toContain("--tuf-root: https://tuf.example.com is not Sigstore's public-good repository");
    const outside = await runManifold(root, ['trust', 'refresh', '../trusted_root.json']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('[file]: "../trusted_root.json" is not a JSON file inside the repository');
  });
});
