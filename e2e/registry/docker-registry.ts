/**
 * A real OCI registry on loopback for tests: Debian's docker-registry package, downloaded and
 * extracted (never installed as a service) into the repository's ignored .cache/.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { REPO_ROOT } from '../temp-repo.ts';
import { startTokenServer, type TokenServer } from './token-server.ts';

const CACHE = join(REPO_ROOT, '.cache', 'registry');
const BINARY = join(CACHE, 'root', 'usr', 'bin', 'docker-registry');

/** A running registry: its host (`127.0.0.1:<port>`) and how to stop it. */
export interface TestRegistry {
  readonly host: string;
  /** Credentials it accepts, for htpasswd and token modes. */
  readonly user?: { readonly username: string; readonly password: string };
  /** Origin of the token service in token mode: another port, so clients must be told to trust it. */
  readonly tokenRealm?: string;
  stop(): Promise<void>;
}

/** The docker-registry binary, fetched with apt-get into .cache/registry on first use. */
export function registryBinary(): string {
  if (existsSync(BINARY)) return BINARY;
  mkdirSync(CACHE, { recursive: true });
  const download = () => execFileSync('apt-get', ['download', 'docker-registry'], { cwd: CACHE, stdio: 'pipe' });
  try {
    download();
  } catch {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'pipe' });
    download();
  }
  const deb = readdirSync(CACHE).find((name) => name.startsWith('docker-registry_') && name.endsWith('.deb'));
  if (!deb) throw new Error('apt-get download docker-registry produced no .deb');
  execFileSync('dpkg', ['-x', deb, 'root'], { cwd: CACHE });
  return BINARY;
}

/** Starts a registry with open access, htpasswd (Basic) or token (Bearer, with a local token server) auth. */
export async function startRegistry(auth: 'open' | 'htpasswd' | 'token' = 'open'): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'manifold-registry-'));
  const user = { username: 'tester', password: 'not-a-real-secret-42' };
  let tokenServer: TokenServer | undefined;
  let authConfig = '';
  if (auth === 'htpasswd') {
    await writeFile(join(dir, 'htpasswd'), `${user.username}:${bcrypt.hashSync(user.password, 5)}\n`);
    authConfig = `auth:\n  htpasswd:\n    realm: test-realm\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    tokenServer = await startTokenServer(dir, user);
    authConfig = `auth:\n  token:\n    realm: ${tokenServer.url}/token\n    service: test-registry\n    issuer: test-issuer\n    rootcertbundle: ${tokenServer.certificate}\n`;
  }
  const config = join(dir, 'config.yml');
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n  redirect:\n    disable: true\nhttp:\n  addr: 127.0.0.1:0\n${authConfig}`,
  );
  const child = spawn(registryBinary(), ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const host = await listeningAddress(child);
  return {
    host,
    ...(auth === 'open' ? {} : { user }),
    ...(tokenServer ? { tokenRealm: new URL(tokenServer.url).origin } : {}),
    /** Stops the registry (once; again is a no-op) and removes its storage. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      await tokenServer?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function listeningAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`docker-registry did not start:\n${output}`)), 10_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+?)"?(\s|$)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1].replace(/^\[::\]/, '127.0.0.1'));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('exit', (code) => reject(new Error(`docker-registry exited with ${code}:\n${output}`)));
  });
}
