/**
 * Serialises Kubernetes objects in the exact YAML style Flux writes back unchanged (cdk8s's style:
 * npm `yaml`, YAML 1.1, no wrapping, 2-space indent, wide sequences).
 *
 * Objects are plain JSON, so a small block writer lays out maps and sequences while npm `yaml`
 * still decides how every key and scalar is spelled (memoised). Anything the writer does not
 * handle exactly — multi-line strings, sequences directly inside sequences, non-integer numbers —
 * goes through the `yaml` Document API, which remains the reference the tests compare against.
 */
import { Document, isScalar, type Scalar, stringify, visit } from 'yaml';

/** A Flux marker comment (the text after `#`) and the path of the scalar it belongs to. */
export interface MarkerPlacement {
  /** Keys and indexes from the object's root to the marked string value. */
  readonly path: readonly (string | number)[];
  readonly marker: string;
}

/** Markers by the map or sequence that holds the marked value, then by key or index. */
type MarkersByContainer = ReadonlyMap<object, ReadonlyMap<string | number, string>>;

/** cdk8s's `Yaml.stringify` options. */
const STYLE = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;
const QUOTED_FIELDS = /:(tag|digest)"}$/;
const NO_MARKERS: MarkersByContainer = new Map();
/** A key YAML 1.1 readers (go-yaml, so Flux) take as a merge key unless it is quoted. */
const MERGE_KEY = '<<';
const MERGE_KEY_STAND_IN = 'manifold-merge-key-f3a9c1';

/** One YAML file holding `objects`, joined by `---` with no leading separator and a final newline. */
export function emitYaml(objects: readonly unknown[]): string {
  return objects.map((object) => emitObject(object)).join('---\n');
}

/**
 * One object as YAML. Each placement's string value gets its Flux marker as the value's line
 * comment; `:tag` and `:digest` values are double-quoted so Flux never re-quotes them.
 */
export function emitObject(object: unknown, markers: readonly MarkerPlacement[] = []): string {
  return writeBlockYaml(object, markers) ?? emitWithDocumentApi(object, markers);
}

/** The reference serialisation through the `yaml` Document API. */
export function emitWithDocumentApi(object: unknown, markers: readonly MarkerPlacement[] = []): string {
  const document = new Document(object, STYLE);
  // `yaml` always writes a "<<" key plain; write a stand-in and quote it in the text afterwards.
  let hasMergeKey = false;
  visit(document, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === MERGE_KEY) {
        pair.key.value = MERGE_KEY_STAND_IN;
        hasMergeKey = true;
      }
    },
  });
  for (const { path, marker } of markers) {
    const node = document.getIn(path, true);
    if (isScalar(node) && typeof node.value === 'string') attachMarker(node, marker);
  }
  const text = document.toString(STYLE);
  return hasMergeKey ? text.replaceAll(`${MERGE_KEY_STAND_IN}:`, '"<<":') : text;
}

function attachMarker(node: Scalar, marker: string): void {
  node.comment = marker;
  if (QUOTED_FIELDS.test(marker)) node.type = 'QUOTE_DOUBLE';
}

/** Thrown inside the block writer for input it does not lay out itself. */
class NeedsDocumentApi extends Error {}

/** How many spellings each memo keeps before it starts over. */
const MEMOISED_SPELLINGS = 4096;
const topKeyTexts = new Map<string, string>();
const keyTexts = new Map<string, string>();
const valueTexts = new Map<string, string>();
const quotedTexts = new Map<string, string>();

/** The block writer's YAML for `object`, or undefined when it must go through the Document API. */
export function writeBlockYaml(object: unknown, markers: readonly MarkerPlacement[] = []): string | undefined {
  if (!isPlainObject(object) || Object.keys(object).length === 0) return undefined;
  try {
    return writeMap(object, 0, markers.length === 0 ? NO_MARKERS : markersByContainer(object, markers));
  } catch (error) {
    if (error instanceof NeedsDocumentApi) return undefined;
    throw error;
  }
}

/** The placements resolved to the containers that hold the marked values. */
function markersByContainer(object: object, markers: readonly MarkerPlacement[]): MarkersByContainer {
  const byContainer = new Map<object, Map<string | number, string>>();
  for (const { path, marker } of markers) {
    let container: unknown = object;
    for (const segment of path.slice(0, -1)) container = (container as Record<string | number, unknown>)[segment];
    const key = path.at(-1);
    if (typeof container !== 'object' || container === null || key === undefined) continue;
    const keyed = byContainer.get(container) ?? new Map<string | number, string>();
    byContainer.set(container, keyed);
    keyed.set(key, marker);
  }
  return byContainer;
}

function writeMap(map: Record<string, unknown>, indent: number, markers: MarkersByContainer): string {
  const pad = ' '.repeat(indent);
  const marked = markers.get(map);
  let out = '';
  for (const key of Object.keys(map)) {
    const value = map[key];
    const head = `${pad}${keyText(key, indent === 0)}:`;
    if (Array.isArray(value) && value.length > 0) out += `${head}\n${writeSequence(value, indent + 2, markers)}`;
    else if (isPlainObject(value) && Object.keys(value).length > 0) out += `${head}\n${writeMap(value, indent + 2, markers)}`;
    else out += `${head} ${inlineValue(value, marked?.get(key))}\n`;
  }
  return out;
}

function writeSequence(items: readonly unknown[], indent: number, markers: MarkersByContainer): string {
  const pad = ' '.repeat(indent);
  const marked = markers.get(items);
  let out = '';
  for (const [index, item] of items.entries()) {
    if (Array.isArray(item) && item.length > 0) throw new NeedsDocumentApi();
    if (isPlainObject(item) && Object.keys(item).length > 0) out += `${pad}- ${writeMap(item, indent + 2, markers).slice(indent + 2)}`;
    else out += `${pad}- ${inlineValue(item, marked?.get(index))}\n`;
  }
  return out;
}

function inlineValue(value: unknown, marker: string | undefined): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  if (Array.isArray(value)) return '[]';
  if (isPlainObject(value)) return '{}';
  if (typeof value !== 'string') throw new NeedsDocumentApi();
  const quoted = marker !== undefined && QUOTED_FIELDS.test(marker);
  // Most values (names, paths, digests) are written as they are: they need no spelling to remember.
  const text = quoted
    ? memoised(quotedTexts, value, () => spellValue(value, true))
    : isSafePlain(value)
      ? value
      : memoised(valueTexts, value, () => spellValue(value, false));
  if (marker === undefined) return text;
  return `${text} #${marker}`;
}

/** How `yaml` spells a mapping key; a document's top-level keys follow stricter rules (`---`). */
function keyText(key: string, topLevel: boolean): string {
  if (key === MERGE_KEY) return '"<<"';
  if (topLevel) return memoised(topKeyTexts, key, () => stringify({ [key]: null }, STYLE).replace(/: null\n$/, '\n'));
  return memoised(keyTexts, key, () =>
    stringify({ k: { [key]: null } }, STYLE)
      .replace(/^k:\n {2}/, '')
      .replace(/: null\n$/, '\n'),
  );
}

// A plain scalar that YAML 1.1 reads back as this same string: starts with a letter or `_` (as the
// generated folders' paths do), has no spaces
// or indicator characters, does not end in ':', is not one of 1.1's boolean or null words and is
// not an exponent-only float like `e5`. (Other numbers and timestamps start with a digit, sign or dot.)
const SAFE_PLAIN = /^(?![eE][-+]?[0-9])[A-Za-z_][A-Za-z0-9_./@%+=-]*(:[A-Za-z0-9_./@%+=-]+)*$/;
const YAML11_WORDS = new Set(['y', 'yes', 'n', 'no', 'true', 'false', 'on', 'off', 'null']);

/** Whether `yaml` writes `value` plain, exactly as it is, as a mapping value (see {@link SAFE_PLAIN}). */
function isSafePlain(value: string): boolean {
  return SAFE_PLAIN.test(value) && !YAML11_WORDS.has(value.toLowerCase());
}

/** How `yaml` spells `value` as a mapping value (the context every scalar here is written in). */
function spellValue(value: string, doubleQuoted: boolean): string {
  if (!doubleQuoted && isSafePlain(value)) return `${value}\n`;
  const document = new Document({ v: value }, STYLE);
  if (doubleQuoted) (document.getIn(['v'], true) as Scalar).type = 'QUOTE_DOUBLE';
  const text = document.toString(STYLE);
  return text.startsWith('v: ') ? text.slice(3) : text;
}

/** The one-line spelling `yaml` gives `value`, or NeedsDocumentApi when it needs more than a line. */
function memoised(cache: Map<string, string>, value: string, spell: () => string): string {
  let text = cache.get(value);
  if (text === undefined) {
    const spelled = spell();
    if (!spelled.endsWith('\n') || spelled.indexOf('\n') !== spelled.length - 1) throw new NeedsDocumentApi();
    text = spelled.slice(0, -1);
    // Values that recur (kinds, policies, ports) are learnt again at once; values of one app only (its
    // names, hosts, digests) would otherwise be held for the whole run, megabytes per thousand apps.
    if (cache.size >= MEMOISED_SPELLINGS) cache.clear();
    cache.set(value, text);
  }
  return text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
