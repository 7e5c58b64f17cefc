/** Registry credentials from the environment and from Docker's config.json; never printed. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

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
 * Credentials from {@link credentialVariable} (`user:password`), else from the `auths` of
 * `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`), matched by exact host.
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  const auths = readDockerAuths(join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json'));
  return (registry) => {
    const variable = credentialVariable(registry);
    const fromEnv = variable ? env[variable] : undefined;
    if (fromEnv) return splitUserPassword(fromEnv);
    const keys = registry === 'docker.io' ? DOCKER_HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`];
    for (const key of keys) {
      const entry = auths[key];
      if (!entry) continue;
      if (entry.auth) return splitUserPassword(Buffer.from(entry.auth, 'base64').toString('utf8'));
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
      if (entry.identitytoken) return { username: '<token>', password: entry.identitytoken };
    }
    return undefined;
  };
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

function readDockerAuths(path: string): Record<string, DockerAuth> {
  try {
    const config = JSON.parse(readFileSync(path, 'utf8')) as { auths?: Record<string, DockerAuth> };
    return config.auths ?? {};
  } catch {
    return {};
  }
}
