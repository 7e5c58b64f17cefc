/** The registry options shared by commands that reach registries, and the client they configure. */
import { type Command, Option } from 'commander';
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
  const progress = progressReporter();
  const insecure = [...options.insecureRegistry, ...(process.env.MANIFOLD_INSECURE_REGISTRIES ?? '').split(',').filter(Boolean)];
  const client = new RegistryClient({
    insecureRegistries: insecure,
    credentials: credentialsFromEnvironment(),
    timeoutMs: options.timeout * 1000,
    trustedTokenRealms: (process.env.MANIFOLD_TRUSTED_TOKEN_REALMS ?? '').split(',').filter(Boolean),
    onProgress: progress.report,
  });
  return { client, done: progress.done };
}
