/** The registry options shared by commands that reach registries, and the client they configure. */
import { type Command, Option } from 'commander';
import { ArgumentError } from '../errors/manifold-error.ts';
import { RegistryClient } from '../registry/registry-client.ts';
import { credentialsFromEnvironment } from '../registry/registry-credentials.ts';
import { seconds } from './option-values.ts';
import { progressReporter } from './terminal.ts';

/** Options added by {@link withRegistryOptions}. */
export interface RegistryOptions {
  readonly insecureRegistry: string[];
  readonly timeout: number;
}

/** Adds `--insecure-registry` and `--timeout` to `command`. */
export function withRegistryOptions(command: Command): Command {
  return command
    .option(
      '--insecure-registry <host>',
      'reach this registry over plain HTTP (loopback test registries); repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addOption(
      new Option('--timeout <seconds>', 'time allowed for one registry request, body included; retries (429, 5xx) wait at most 120 s in all')
        .default(15)
        .argParser(seconds(600)),
    );
}

/** A client with credentials from the environment and Docker's config.json, reporting progress on stderr. */
export function registryClient(options: RegistryOptions): { client: RegistryClient; done(): void } {
  const insecure = [...options.insecureRegistry, ...(process.env.MANIFOLD_INSECURE_REGISTRIES ?? '').split(',').filter(Boolean)];
  if (process.env.MANIFOLD_INSECURE_ANY_HOST !== '1') {
    const exposed = insecure.find((host) => !isLocalHost(host));
    if (exposed !== undefined) {
      throw new ArgumentError(
        '--insecure-registry',
        `"${exposed}" is not a loopback or private-network host: plain HTTP would send its requests and credentials in clear`,
        'reach it over HTTPS; for a registry on your own network without TLS, set MANIFOLD_INSECURE_ANY_HOST=1 in the environment',
      );
    }
  }
  const progress = progressReporter();
  const client = new RegistryClient({
    insecureRegistries: insecure,
    credentials: credentialsFromEnvironment(),
    timeoutMs: options.timeout * 1000,
    trustedTokenRealms: (process.env.MANIFOLD_TRUSTED_TOKEN_REALMS ?? '').split(',').filter(Boolean),
    onProgress: progress.report,
  });
  return { client, done: progress.done };
}

/**
 * Whether `host` (`name[:port]`) is on this machine or a private network: loopback and private IP
 * addresses, `localhost`, names without a dot (a container network's), and the private-use suffixes.
 */
export function isLocalHost(host: string): boolean {
  const name = host
    .replace(/^\[(.*)\](:[0-9]+)?$/, '$1')
    .replace(/:[0-9]+$/, '')
    .toLowerCase();
  if (name === '::1' || name === 'localhost' || !name.includes('.')) return !name.includes(':') || name === '::1';
  if (/\.(localhost|local|internal|home\.arpa)$/.test(name)) return true;
  const octets = /^([0-9]{1,3})\.([0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}$/.exec(name);
  if (!octets) return false;
  const [a, b] = [Number(octets[1]), Number(octets[2])];
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}
