/**
 * Which ESC API an environment may name. `esc.url` is repository text, yet the ESC token (and, through
 * the rendered SecretStore, the cluster's) is sent there: a host other than Pulumi Cloud is used only
 * when the operator lists it outside the repository, in MANIFOLD_ESC_HOSTS.
 */
import { ConfigError, type SourcePosition } from '../errors/config-error.ts';

/** The Pulumi Cloud API, which needs no permission. */
export const DEFAULT_ESC_URL = 'https://api.pulumi.com';

/** The variable an operator (CI settings, a shell) lists other ESC API hosts in: `host[:port]`, comma-separated. */
export const ESC_HOSTS_VARIABLE = 'MANIFOLD_ESC_HOSTS';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether `url` names this machine, where plain HTTP keeps the token on it. */
export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

/**
 * Refuses an `esc.url` the operator did not allow: plain HTTP to anything but this machine, or a host
 * other than Pulumi Cloud and this machine that {@link ESC_HOSTS_VARIABLE} does not list.
 */
export function checkEscUrl(text: string, position: () => SourcePosition, env: NodeJS.ProcessEnv = process.env): void {
  const url = new URL(text);
  if (url.protocol !== 'https:' && !isLoopbackUrl(url)) {
    throw new ConfigError({ ...position(), message: `esc.url ${url.origin} is not HTTPS`, hint: 'the ESC token is sent there: use an https:// URL' });
  }
  if (url.origin === DEFAULT_ESC_URL || isLoopbackUrl(url)) return;
  const allowed = (env[ESC_HOSTS_VARIABLE] ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  if (!allowed.includes(url.host)) {
    throw new ConfigError({
      ...position(),
      message: `esc.url names ${url.host}, which is not Pulumi Cloud, and ${ESC_HOSTS_VARIABLE} does not allow it`,
      hint: `ESC tokens go only where the operator says: add ${url.host} to ${ESC_HOSTS_VARIABLE} where Manifold runs (a CI variable, not a repository file), or remove esc.url`,
    });
  }
}
