/** `manifold trust refresh [file]`: refresh the committed Sigstore trusted root from its TUF repository. */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { repositoryFile } from '../config/verify-policy.ts';
import { ArgumentError } from '../errors/manifold-error.ts';
import { replaceFile } from '../files/replace-file.ts';
import { assertRealPath } from '../files/repository-paths.ts';
import type { CliIo } from './cli-io.ts';
import { seconds } from './option-values.ts';
import { isLocalHost } from './registry-options.ts';

/** Sigstore's public-good TUF repository (the verifier module is loaded only when a refresh runs). */
const PUBLIC_GOOD_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';
/** A JSON file inside the repository, by the rule environment.yaml's trustedRoot follows. */
const REPOSITORY_JSON = repositoryFile('.json', 'sigstore/trusted_root.json');

interface RefreshFlags {
  readonly mirror: string;
  readonly tufRoot?: string;
  readonly timeout: number;
}

/** Adds the trust command to `program`. */
export function registerTrust(program: Command, io: CliIo): void {
  const trust = program.command('trust').description('The Sigstore trust material verify: rules check signatures against.');
  trust
    .command('refresh')
    .description(
      'Fetch the Sigstore trusted root through TUF (its signed metadata checked from the root first trusted) and write it where trustedRoot names it; commit the change. Example: pnpm manifold trust refresh sigstore/trusted_root.json',
    )
    .argument('[file]', 'the trusted root to write, a JSON file inside the repository', 'sigstore/trusted_root.json')
    .option('--mirror <url>', 'the TUF repository (default: Sigstore public good)', PUBLIC_GOOD_MIRROR)
    .option('--tuf-root <file>', "the TUF repository's initial root.json, a file in the repository (needed for any mirror but the public-good one)")
    .addOption(new Option('--timeout <seconds>', 'time allowed for one TUF request').default(15).argParser(seconds(600)))
    .action(async (file: string, flags: RefreshFlags) => {
      const root = io.root();
      if (!REPOSITORY_JSON.safeParse(file).success)
        throw new ArgumentError(
          '[file]',
          `"${file}" is not a JSON file inside the repository`,
          'name it relative to the repository root, such as sigstore/trusted_root.json',
        );
      const mirror = mirrorUrl(flags.mirror);
      if (flags.tufRoot !== undefined && !REPOSITORY_JSON.safeParse(flags.tufRoot).success)
        throw new ArgumentError(
          '--tuf-root',
          `"${flags.tufRoot}" is not a JSON file inside the repository`,
          'commit the initial root.json of the TUF repository and name its path',
        );
      if (mirror !== PUBLIC_GOOD_MIRROR && flags.tufRoot === undefined)
        throw new ArgumentError(
          '--tuf-root',
          `${mirror} is not Sigstore's public-good repository, so its initial root.json must be named`,
          'commit the root.json your Sigstore deployment publishes and pass --tuf-root <file>',
        );
      for (const path of [file, flags.tufRoot]) if (path !== undefined) assertRealPath(root, path);
      const { fetchTrustedRoot } = await import('../verify/trusted-root-refresh.ts');
      const text = await fetchTrustedRoot({
        mirror,
        ...(flags.tufRoot ? { tufRoot: join(root, flags.tufRoot) } : {}),
        cachePath: join(root, 'node_modules', '.cache', 'manifold', 'sigstore-tuf'),
        timeoutMs: flags.timeout * 1000,
      });
      const current = await readFile(join(root, file), 'utf8').catch(() => undefined);
      if (current === text) {
        io.out(`${file} is current (${mirror})`);
        return;
      }
      await mkdir(dirname(join(root, file)), { recursive: true });
      await replaceFile(join(root, file), text);
      io.out(`${current === undefined ? 'wrote' : 'updated'} ${file} from ${mirror}: review and commit it`);
    });
}

/** The mirror's URL: HTTPS, or plain HTTP to a loopback or private-network host (its metadata is signed either way). */
function mirrorUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ArgumentError('--mirror', `"${value}" is not a URL`, 'give the TUF repository as https://host/path');
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLocalHost(url.host))) return url.toString().replace(/\/$/, '');
  throw new ArgumentError(
    '--mirror',
    `${url.protocol}//${url.host} is neither HTTPS nor a loopback or private-network host`,
    'give the TUF repository over HTTPS',
  );
}
