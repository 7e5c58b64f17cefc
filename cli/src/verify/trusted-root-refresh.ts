/**
 * The committed Sigstore trusted root, refreshed from a TUF repository: `@sigstore/tuf` walks the
 * repository's signed metadata from a root it already trusts (the public-good seed it ships, or the
 * initial root.json of a private deployment) and checks the `trusted_root.json` target against it,
 * so a mirror can delay an update but not forge one. Verification itself stays offline: it reads the
 * committed copy, which a reviewer sees change in a pull request.
 */

import { TrustedRoot } from '@sigstore/protobuf-specs';
import { getTrustedRoot } from '@sigstore/tuf';
import { toTrustMaterial } from '@sigstore/verify';
import { OperationalError } from '../errors/manifold-error.ts';
import { serverText } from '../registry/server-text.ts';

/** Where and how to refresh. */
export interface RefreshOptions {
  readonly mirror: string;
  /** The TUF root.json first trusted for `mirror` (a path); the public-good one needs none. */
  readonly tufRoot?: string;
  /** The folder where the TUF client keeps its verified metadata between runs. */
  readonly cachePath: string;
  readonly timeoutMs: number;
}

/** The trusted root the TUF repository at `mirror` serves now, verified through its metadata, as the text to commit. */
export async function fetchTrustedRoot(options: RefreshOptions): Promise<string> {
  let root: TrustedRoot;
  try {
    root = await getTrustedRoot({
      mirrorURL: options.mirror,
      cachePath: options.cachePath,
      ...(options.tufRoot ? { rootPath: options.tufRoot } : {}),
      timeout: options.timeoutMs,
      retry: { retries: 2 },
    });
    toTrustMaterial(root);
  } catch (error) {
    throw new OperationalError(
      `cannot refresh the trusted root from ${options.mirror}: ${serverText((error as Error).message)}`,
      'nothing was written; check the mirror address (and --tuf-root for a private Sigstore), then try again',
    );
  }
  return `${JSON.stringify(TrustedRoot.toJSON(root), null, 2)}\n`;
}
