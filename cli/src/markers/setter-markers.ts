/** Flux setter markers: how image-automation-controller reads them and the value each one writes. */
import type { ImageField } from '@manifold/constructs/core';

/** What an ImagePolicy reports in `status.latestRef`. */
export interface LatestImageRef {
  /** ImageRepository `spec.image`, verbatim. */
  readonly name: string;
  readonly tag: string;
  /** `sha256:…`, set only when the policy reflects digests. */
  readonly digest?: string;
}

/** A marker read from a comment: which policy (`ns:name`) and which part of its reference. */
export interface SetterMarker {
  readonly policy: string;
  readonly field: ImageField;
}

/** The bytes Flux screens files for before parsing them (double quotes included). */
export const MARKER_BYTES = '"$imagepolicy"';

const FIELDS = new Set<string>(['tag', 'name', 'digest']);

/** How a setter is referenced in the OpenAPI form kyaml still reads (`{"$ref": "#/definitions/io.k8s.cli.setters.<ns>:<name>"}`). */
const SETTER_REF_PREFIX = '#/definitions/io.k8s.cli.setters.';

/**
 * Reads a comment the way kyaml does: leading `#`s stripped, the rest JSON-decoded — first as the
 * shorthand, a map of strings holding `$imagepolicy`; failing that, as an OpenAPI schema whose `$ref`
 * names a setter (the legacy form). Anything else (text after the JSON, a shorthand with non-string
 * values and no `$ref`) is not a marker. The screening of files for {@link MARKER_BYTES} still applies:
 * a file with legacy markers only is never read.
 */
export function parseSetterMarker(comment: string | null | undefined): SetterMarker | undefined {
  if (!comment) return undefined;
  const json = comment.replace(/^#+/, '');
  let decoded: unknown;
  try {
    decoded = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return undefined;
  const fields = decoded as Record<string, unknown>;
  const shorthand = Object.values(fields).every((value) => typeof value === 'string') ? fields.$imagepolicy : undefined;
  if (typeof shorthand === 'string' && shorthand !== '') return setterNamed(shorthand);
  const ref = fields.$ref;
  if (typeof ref === 'string' && ref.startsWith(SETTER_REF_PREFIX) && ref.length > SETTER_REF_PREFIX.length) {
    return setterNamed(ref.slice(SETTER_REF_PREFIX.length));
  }
  return undefined;
}

/** The marker of the setter named `<ns>:<policy>[:tag|:name|:digest]`. */
function setterNamed(name: string): SetterMarker {
  const parts = name.split(':');
  const last = parts.at(-1) ?? '';
  if (parts.length === 3 && FIELDS.has(last)) return { policy: parts.slice(0, 2).join(':'), field: last as ImageField };
  return { policy: name, field: 'full' };
}

/** The value a setter writes for `field` of `ref` (docs/flux-setters.md §1). */
export function setterValue(ref: LatestImageRef, field: ImageField): string {
  switch (field) {
    case 'full':
      return ref.digest ? `${ref.name}:${ref.tag}@${ref.digest}` : `${ref.name}:${ref.tag}`;
    case 'tag':
      return ref.tag;
    case 'name':
      return ref.name;
    case 'digest':
      return ref.digest ?? '';
  }
}

/** A line of generated YAML whose value carries a marker, as synth writes them. */
export interface MarkedLine {
  /** 1-based line number. */
  readonly line: number;
  /** The value as written (quotes included). */
  readonly value: string;
  readonly marker: SetterMarker;
}

// The form synth emits: a block mapping value or sequence item, then its marker, last on the line.
const MARKED_LINE =
  /^( *(?:- )?(?:[^\s#][^#\n]*?: )?)("[^"\n]*"|[^\s"#|>&*!'%@`{[](?:(?!: )[^#\n])*?) (# \{"\$imagepolicy": "[a-z0-9-]+:[a-z0-9-]+(?::(?:tag|name|digest))?"\})$/;

/**
 * The marked lines of `text` in synth's own form; lines that mention `"$imagepolicy"` in any other
 * way are returned as `undefined` entries so callers can refuse them.
 */
export function findMarkedLines(text: string): (MarkedLine | { readonly line: number; readonly marker?: undefined })[] {
  const found: (MarkedLine | { line: number })[] = [];
  text.split('\n').forEach((content, index) => {
    if (!content.includes(MARKER_BYTES)) return;
    const match = MARKED_LINE.exec(content);
    const marker = match ? parseSetterMarker(match[3]?.slice(1)) : undefined;
    found.push(match && marker ? { line: index + 1, value: match[2] ?? '', marker } : { line: index + 1 });
  });
  return found;
}

/** A line of a file that carries a Flux marker, and the policy Flux reads there (null when Flux cannot see it). */
export type MarkerLine = readonly [line: number, policy: string | null];

/** The lines of `text` that carry a Flux marker, each with the policy Flux reads there. */
export function markerLines(text: string): MarkerLine[] {
  if (!text.includes(MARKER_BYTES)) return [];
  return findMarkedLines(text).map(({ line, marker }) => [line, marker?.policy ?? null]);
}

/** `text` with every marked value replaced by a placeholder: what stays when Flux moves images. */
export function blankMarkedValues(text: string): string {
  if (!text.includes(MARKER_BYTES)) return text;
  return text
    .split('\n')
    .map((content) => (content.includes(MARKER_BYTES) ? content.replace(MARKED_LINE, '$1<flux> $3') : content))
    .join('\n');
}
