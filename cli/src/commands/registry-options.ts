/** The registry options shared by commands that reach registries, and the client they configure. */
import type { Command } from 'commander';
import { RegistryClient } from '../registry/registry-client.ts';
import { credentialsFromEnvironment } from '../registry/registry-credentials.ts';
import { progressReporter } from './terminal.ts';

/** Options added by {@link withRegistryOptions}. */
export interface RegistryOptions {
  readonly insecureRegistry: string[];
  readonly timeout: string;
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
    .option('--timeout <seconds>', 'time allowed for one registry request', '15');
}

/** A client with credentials from the environment and Docker's config.json, reporting progress on stderr. */
export function registryClient(options: RegistryOptions): { client: RegistryClient; done(): void } {
  const progress = progressReporter();
  const insecure = [...options.insecureRegistry, ...(process.env.MANIFOLD_INSECURE_REGISTRIES ?? '').split(',').filter(Boolean)];
  const client = new RegistryClient({
    insecureRegistries: insecure,
    credentials: credentialsFromEnvironment(),
    timeoutMs: Math.max(1, Number(options.timeout)) * 1000,
    onProgress: progress.report,
  });
  return { client, done: progress.done };
}
