/** What moved between two versions of the pins: per environment and image, old → new tag and digest. */

import { signerOf } from '../config/images-schema.ts';
import { loadEnvironment, overlayFiles, type Pin } from '../config/load-environment.ts';
import { type EntryCache, YamlEntries } from '../config/yaml-entries.ts';
import { readFileAtRevision } from '../git/git-revision.ts';
import { listEnvironments } from '../synth/synthesize.ts';
import { codeSpanText } from './markdown-text.ts';

/** One pin that differs between two versions. */
export interface PinChange {
  readonly env: string;
  /** `<app>/<image>`. */
  readonly image: string;
  readonly before: { readonly tag: string; readonly digest?: string; readonly repository: string } | undefined;
  readonly after: { readonly tag: string; readonly digest?: string; readonly repository: string } | undefined;
  /** Whose signature was checked when the new reference was pinned (verify: rules), when it was. */
  /** Who signed the new digest, and its Rekor log index when it was logged. */
  readonly signedBy?: { readonly identity: string; readonly logIndex?: string };
}

/** The pins of one environment in two versions (a missing side: the environment or pin is new or gone). */
export function diffPins(env: string, before: ReadonlyMap<string, Pin>, after: ReadonlyMap<string, Pin>): PinChange[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const side = (pin: Pin | undefined) => pin && { tag: pin.ref.tag, repository: pin.ref.repository, ...(pin.ref.digest ? { digest: pin.ref.digest } : {}) };
  return keys
    .filter((key) => before.get(key)?.ref.value !== after.get(key)?.ref.value)
    .map((key) => {
      const verified = after.get(key)?.source?.verified;
      return {
        env,
        image: key,
        before: side(before.get(key)),
        after: side(after.get(key)),
        ...(verified ? { signedBy: { identity: signerOf(verified), ...(verified.logIndex ? { logIndex: verified.logIndex } : {}) } } : {}),
      };
    });
}

/** The pins of every environment that differ between `commit` and the working tree, read from the parses synth keeps in `cache`. */
export async function pinChangesSince(root: string, commit: string, cache?: EntryCache): Promise<PinChange[]> {
  const entries = YamlEntries.reader(cache);
  const changes: PinChange[] = [];
  for (const env of await listEnvironments(root)) {
    const now = await loadEnvironment(root, env, undefined, entries);
    const text = await readFileAtRevision(root, commit, overlayFiles(env).images);
    const before = text === undefined ? new Map() : (await loadEnvironment(root, env, text, entries)).pins;
    changes.push(...diffPins(env, before, now.pins));
  }
  return changes;
}

/** A Markdown table of `changes`, for a pull request body. */
export function formatChangesMarkdown(changes: readonly PinChange[]): string {
  if (changes.length === 0) return 'No image pins change.\n';
  const shortDigest = (digest?: string) => (digest ? `\`${digest.slice('sha256:'.length, 'sha256:'.length + 12)}\`` : '—');
  const rows = changes.map(({ env, image, before, after }) => {
    const tag = `${before ? `\`${before.tag}\`` : '—'} → ${after ? `\`${after.tag}\`` : '—'}`;
    const digest = `${shortDigest(before?.digest)} → ${shortDigest(after?.digest)}`;
    return `| ${env} | ${image} | ${after?.repository ?? before?.repository} | ${tag} | ${digest} |`;
  });
  const signed = changes.flatMap(({ env, image, signedBy }) =>
    signedBy
      ? [`- ${env} ${image}: signed by \`${codeSpanText(signedBy.identity)}\`${signedBy.logIndex ? ` (Rekor log index ${signedBy.logIndex})` : ''}`]
      : [],
  );
  return [
    '| environment | image | repository | tag | digest |',
    '|---|---|---|---|---|',
    ...rows,
    ...(signed.length > 0 ? ['', 'Signatures checked:', '', ...signed] : []),
    '',
  ].join('\n');
}

/** A plain-text listing of `changes`, one line each. */
export function formatChangesText(changes: readonly PinChange[]): string {
  if (changes.length === 0) return 'no image pins change\n';
  const side = (value: PinChange['before']) => (value ? `${value.tag}${value.digest ? `@${value.digest.slice(0, 19)}` : ''}` : '(none)');
  return changes
    .map(
      ({ env, image, before, after, signedBy }) => `${env} ${image}: ${side(before)} -> ${side(after)}${signedBy ? ` (signed by ${signedBy.identity})` : ''}`,
    )
    .join('\n')
    .concat('\n');
}
