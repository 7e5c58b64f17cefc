/** Registry credentials from the environment and from Docker's config.json; never printed. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OperationalError } from '../errors/manifold-error.ts';

/** A user name and password (or token) for one registry. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** Looks up credentials for a registry host. */
export type CredentialLookup = (registry: string) => RegistryCredentials | undefined;

const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/**
 * The environment variable that holds credentials for `registry`, or undefined for a host it cannot
 * name. The encoding is one-to-one, because `_` never occurs in a host name: letters upper-cased,
 * `.` → `_`, `-` → `__`, `:` (before a port) → `___`. `registry.acme.com` →
 * `MANIFOLD_REGISTRY_AUTH_REGISTRY_ACME_COM`, `registry-acme.com` → `…_REGISTRY__ACME_COM`,
 * `localhost:5000` → `…_LOCALHOST___5000`.
 */
export function credentialVariable(registry: string): string | undefined {
  if (!/^[A-Za-z0-9.:-]+$/.test(registry)) return undefined;
  const encoded = registry.toUpperCase().replaceAll(':', '___').replaceAll('-', '__').replaceAll('.', '_');
  return `MANIFOLD_REGISTRY_AUTH_${encoded}`;
}

/**
 * Credentials from {@link credentialVariable} (`user:password`), else from Docker's configuration
 * (`$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`) as the Docker CLI reads it
 * (docker/cli `config/configfile` v27): the registry's `credHelpers` entry, else the `credsStore`,
 * else the `auths` entry — a helper is run as `docker-credential-<name> get` with the server on stdin.
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  const config = readDockerConfig(join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json'));
  return (registry) => {
    const variable = credentialVariable(registry);
    const fromEnv = variable ? env[variable] : undefined;
    if (fromEnv) return splitUserPassword(fromEnv);
    const keys = registry === 'docker.io' ? DOCKER_HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`];
    const helper = keys.map((key) => config.credHelpers?.[key]).find(Boolean) ?? config.credsStore;
    if (helper) return fromHelper(helper, registry === 'docker.io' ? (DOCKER_HUB_KEYS[0] as string) : registry, env);
    for (const key of keys) {
      const entry = config.auths?.[key];
      if (!entry) continue;
      if (entry.auth) return splitUserPassword(Buffer.from(entry.auth, 'base64').toString('utf8'));
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
      if (entry.identitytoken) return { username: '<token>', password: entry.identitytoken };
    }
    return undefined;
  };
}

/** Raised when a credential helper cannot be run or answers nonsense; never carries its output. */
export class CredentialHelperError extends OperationalError {
  constructor(message: string) {
    super(message, "check credHelpers/credsStore in Docker's config.json and that the helper is on PATH");
  }
}

/** Asks `docker-credential-<helper>` (found on PATH) for `server`'s credentials, as Docker does. */
function fromHelper(helper: string, server: string, env: NodeJS.ProcessEnv): RegistryCredentials | undefined {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(helper)) throw new CredentialHelperError(`credential helper name "${helper}" in Docker's config.json is not a plain name`);
  const program = `docker-credential-${helper}`;
  const run = spawnSync(program, ['get'], { input: server, encoding: 'utf8', timeout: 10_000, maxBuffer: 64 * 1024, env });
  if (run.error) throw new CredentialHelperError(`cannot run ${program} (${(run.error as NodeJS.ErrnoException).code ?? run.error.name}) for ${server}`);
  // Helpers answer "credentials not found in native keychain" with exit 1: no credentials, not an error.
  if (run.status !== 0) return undefined;
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(run.stdout) as typeof answer;
  } catch {
    throw new CredentialHelperError(`${program} gave an answer that is not JSON for ${server}`);
  }
  if (typeof answer.Username !== 'string' || typeof answer.Secret !== 'string' || answer.Secret === '') return undefined;
  return { username: answer.Username, password: answer.Secret };
}

function splitUserPassword(value: string): RegistryCredentials | undefined {
  const colon = value.indexOf(':');
  return colon > 0 ? { username: value.slice(0, colon), password: value.slice(colon + 1) } : undefined;
}

interface DockerAuth {
  readonly auth?: string;
  readonly username?: string;
  readonly password?: string;
  readonly identitytoken?: string;
}

interface DockerConfig {
  readonly auths?: Record<string, DockerAuth>;
  readonly credHelpers?: Record<string, string>;
  readonly credsStore?: string;
}

function readDockerConfig(path: string): DockerConfig {
  try {
    const config = JSON.parse(readFileSync(path, 'utf8')) as DockerConfig;
    return typeof config === 'object' && config !== null ? config : {};
  } catch {
    return {};
  }
}
