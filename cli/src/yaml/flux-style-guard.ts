/**
 * Rejects values Flux would reformat when it rewrites a file (docs/flux-setters.md §4–5), so that a
 * Flux commit never changes more than the marked values.
 */

/** A value Flux would reformat, and where it is in the object. */
export interface FluxStyleViolation {
  /** Dotted path of the offending key or value inside the object. */
  readonly path: string;
  readonly reason: string;
}

const MAX_KEY_LENGTH = 128;
// Characters go-yaml double-quotes or escapes: control characters other than newline, NEL, BOM, non-BMP.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const REFORMATTED_CHARACTER = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\uFEFF\uFFFE\uFFFF\u2028\u2029]|[\u{10000}-\u{10FFFF}]/u;
const TRAILING_SPACE_IN_LINE = /[ \t]\n/;

/** Every place in `object` (one Kubernetes object) that Flux would not write back byte for byte. */
export function findFluxStyleViolations(object: Record<string, unknown>): FluxStyleViolation[] {
  const violations: FluxStyleViolation[] = [];
  if (object.kind === 'List' || object.kind === 'ResourceList') {
    violations.push({ path: 'kind', reason: `kind ${object.kind} is unwrapped by Flux into new files; emit the items instead` });
  }
  const metadata = object.metadata;
  if (metadata !== undefined && (metadata === null || (isRecord(metadata) && Object.keys(metadata).length === 0))) {
    violations.push({ path: 'metadata', reason: 'empty metadata is deleted by Flux' });
  }
  if (isRecord(metadata) && 'annotations' in metadata && isEmpty(metadata.annotations)) {
    violations.push({ path: 'metadata.annotations', reason: 'empty annotations are deleted by Flux' });
  }
  walk(object, '', violations);
  return violations;
}

function walk(value: unknown, path: string, violations: FluxStyleViolation[]): void {
  if (typeof value === 'string') {
    checkString(value, path, violations);
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`, violations);
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      const itemPath = path ? `${path}.${key}` : key;
      if (key.length > MAX_KEY_LENGTH) violations.push({ path: itemPath, reason: `key longer than ${MAX_KEY_LENGTH} characters is rewritten as "? key"` });
      checkString(key, itemPath, violations);
      walk(item, itemPath, violations);
    }
  }
}

function checkString(value: string, path: string, violations: FluxStyleViolation[]): void {
  const character = REFORMATTED_CHARACTER.exec(value);
  if (character) {
    const code = character[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
    violations.push({ path, reason: `character U+${code} is re-escaped by Flux; remove it or write it differently` });
  } else if (value.includes('\n') && (TRAILING_SPACE_IN_LINE.test(value) || / $/.test(value))) {
    violations.push({ path, reason: 'a multi-line string with trailing spaces is turned into a one-line quoted string by Flux' });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (isRecord(value) && Object.keys(value).length === 0);
}
