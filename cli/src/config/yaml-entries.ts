/**
 * Parses a file that is one mapping of top-level entries (images.yaml: an entry per app) entry by
 * entry, remembering each entry's parse by its exact text between runs: after a one-pin edit, one
 * entry is parsed again, not 2,000 (the entries not remembered are parsed together, as one document:
 * by the block-mapping reader when they are in the shape Manifold writes, by `yaml` otherwise).
 *
 * An entry starts at a line whose first character is a letter, digit or `_` (with the comment and
 * blank lines right above it); every other line must be blank, a comment or indented. Under these
 * rules an entry is the same YAML alone, among other entries or inside the whole file. Anything else — another character at
 * column 0, an entry that is not one plain key, a parse error, an anchor or alias, a key twice, no
 * entry at all — makes {@link YamlEntries.source} answer undefined, and the caller parses the whole
 * file as before, so every error is reported exactly as a whole-file parse reports it.
 *
 * The cache holds one file per parsed file (`entries/<file>.json`, written whole and renamed into
 * place), with only the entries of the last run, and a checksum over the CLI's code hash: a damaged
 * file or another build's parse is never trusted.
 */
import { join } from 'node:path';
import { type Document, isAlias, isMap, isScalar, LineCounter, visit } from 'yaml';
import { type OpenPack, openPack, type Pack, writePack } from '../files/checksummed-pack.ts';
import { findMarkedScalars } from '../markers/marked-scalars.ts';
import { parseSetterMarker } from '../markers/setter-markers.ts';
import { type FluxDocument, parseFluxDocuments } from '../yaml/kyaml-style.ts';
import { type BlockMapping, parseBlockMapping } from './block-mapping.ts';
import { indexNodes, locatedSource, type NodeRange, parseYamlDocument, pathKey, type YamlSource } from './yaml-source.ts';

/** One entry's parse, with offsets relative to the entry's first byte. */
interface EntryParse {
  readonly key: string;
  readonly value: unknown;
  /** Ranges of the entry's nodes below the file's root, by {@link pathKey}: key, start, end (-1: none). */
  readonly nodes: readonly (readonly [string, number, number, number])[];
  /** Offset of the entry's mapping (the file's root, when this is the first entry). */
  readonly root: number;
  /** The policies of the Flux markers Flux sees in the entry, null when Flux cannot parse it alone, undefined until asked for. */
  readonly flux?: readonly string[] | null;
  /** The entry's value as the caller's check returned it, undefined until checked (see {@link YamlEntries.checkedValues}). */
  readonly checked?: { readonly value: unknown };
}

/** A text of entries as read for {@link parseEntries}: the root's keys, its data, its nodes and the Flux markers in it. */
interface EntriesReading extends Omit<BlockMapping, 'comments'> {
  /** The Flux markers: where each marked value starts, and its policy (found when asked for). */
  markers(): readonly FoundMarker[];
}

/** A Flux marker found in a text: where the marked value starts, and the marker's policy. */
interface FoundMarker {
  readonly start: number;
  readonly policy: string;
}

/** One entry of a file: where it starts, its text, and its parse (completed as the run asks for more of it). */
interface Entry {
  readonly start: number;
  readonly text: string;
  parse: EntryParse;
}

const FORMAT = 4;
/** A pack is rewritten once one entry in this many is missing from it or no longer used. */
const REWRITE_SHARE = 64;
/** A reader parses the entries it does not remember only when they are at most one in this many (else the file is parsed whole). */
const READER_SHARE = 8;
const ENTRY_START = /[A-Za-z0-9_]/;

/** Where entry parses are kept: the render cache's folder, and the build whose parses they are. */
export type EntryCache = { readonly dir: string; readonly sharedHash: string } | undefined;

/** Entry parses of earlier runs, and the ones this run uses. */
export class YamlEntries {
  private readonly loaded = new Map<string, Map<string, EntryParse>>();
  private readonly used = new Map<string, Map<string, EntryParse>>();
  /** The entries of each file's text as last split and looked up (each file is asked for several times a run). */
  private readonly split = new Map<string, { readonly text: string; readonly entries: Entry[] }>();
  /** How many entries of each file this run parsed or checked that its pack does not hold. */
  private readonly unsaved = new Map<string, number>();

  private constructor(
    private readonly dir: string | undefined,
    /** What sets the entry packs of this build and format apart from any other. */
    private readonly salt: string,
    /** Whether this run only reads (see {@link YamlEntries.reader}). */
    private readonly reading: boolean,
  ) {}

  /**
   * Entries kept in `cache.dir` (the render cache's folder) for the build `cache.sharedHash` names, or
   * only for this run without a cache.
   */
  static open(cache: EntryCache): YamlEntries {
    return YamlEntries.kept(cache, false);
  }

  /**
   * The entries synth kept, for a command that only reads pins and never saves: a file most of whose
   * entries are not remembered (a build synth has not run with yet) is left to a whole-file parse,
   * which costs less than parsing each entry for a pack nobody writes.
   */
  static reader(cache: EntryCache): YamlEntries {
    return YamlEntries.kept(cache, true);
  }

  private static kept(cache: EntryCache, reading: boolean): YamlEntries {
    return new YamlEntries(cache && join(cache.dir, 'entries'), `${FORMAT}\0${cache?.sharedHash ?? ''}\0`, reading);
  }

  /** `text` of `file` parsed entry by entry, or undefined when it must be parsed whole (see above). */
  source(file: string, text: string): YamlSource | undefined {
    const entries = this.entries(file, text);
    if (!entries) return undefined;
    const data: Record<string, unknown> = {};
    for (const { parse } of entries) {
      if (Object.hasOwn(data, parse.key)) return undefined;
      data[parse.key] = parse.value;
    }
    const lines = new LineCounter();
    lines.addNewLine(0);
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', newline + 1)) lines.addNewLine(newline + 1);
    // A node is looked for among its entry's nodes only: no index of the whole file is built.
    let byKey: Map<string, (typeof entries)[number]> | undefined;
    const find = (path: string): NodeRange | undefined => {
      const first = entries[0];
      if (path === pathKey([])) return { start: (first?.start ?? 0) + (first?.parse.root ?? 0) };
      byKey ??= new Map(entries.map((entry) => [entry.parse.key, entry]));
      const separator = path.indexOf('\u0000');
      const entry = byKey.get(separator < 0 ? path : path.slice(0, separator));
      const node = entry?.parse.nodes.find(([nodePath]) => nodePath === path);
      if (!entry || !node) return undefined;
      const [, key, from, to] = node;
      return { ...(key >= 0 ? { key: entry.start + key } : {}), ...(from >= 0 ? { start: entry.start + from, end: entry.start + to } : {}) };
    };
    return locatedSource(file, text, data, lines, find);
  }

  /** The policies of the Flux markers Flux sees in `text` of `file`, or undefined when only a whole-file parse can tell. */
  fluxMarkers(file: string, text: string): string[] | undefined {
    const entries = this.entries(file, text);
    if (!entries) return undefined;
    const asked = [...new Set(entries.filter(({ parse }) => parse.flux === undefined).map(({ text: entryText }) => entryText))];
    if (asked.length > 0) {
      const found = fluxMarkersOf(asked);
      const byText = new Map(asked.map((entryText, index) => [entryText, found?.[index] ?? null]));
      for (const entry of entries) {
        const flux = byText.get(entry.text);
        if (flux !== undefined) this.update(file, entry, { ...entry.parse, flux });
      }
      this.note(file, asked.length);
    }
    if (entries.some(({ parse }) => parse.flux === null)) return undefined;
    return entries.flatMap(({ parse }) => parse.flux ?? []);
  }

  /**
   * The data of `text` of `file` with each entry's value as `check` returns it (a schema's output, for
   * a value it accepts), checking only the entries whose check is not remembered from an earlier run.
   * `check` must depend on nothing but the entry and the CLI's code (the cache's salt covers that).
   * Undefined when the file must be parsed whole or `check` refuses an entry (returns undefined): the
   * caller then checks the whole file and reports what is wrong.
   */
  checkedValues(
    file: string,
    text: string,
    check: (key: string, value: unknown) => { readonly value: unknown } | undefined,
  ): Record<string, unknown> | undefined {
    const entries = this.entries(file, text);
    if (!entries) return undefined;
    const data: Record<string, unknown> = {};
    for (const entry of entries) {
      const { parse } = entry;
      const checked = parse.checked ?? check(parse.key, parse.value);
      if (!checked || Object.hasOwn(data, parse.key)) return undefined;
      if (!parse.checked) {
        this.update(file, entry, { ...parse, checked });
        this.note(file, 1);
      }
      data[parse.key] = checked.value;
    }
    return data;
  }

  /**
   * Keeps this run's entries for the next run and forgets them (of `only` that file, when given, so
   * that its parse need not be held once it is used); a failure to write is ignored. A file is written
   * again only when its pack lacks (or holds beyond this run's) more than one entry in {@link REWRITE_SHARE}:
   * after a pin edit, parsing the one changed entry again next run costs less than rewriting the parse
   * of every entry.
   */
  save(only?: string): void {
    for (const [file, entries] of this.used) {
      if (only !== undefined && file !== only) continue;
      const stale = (this.unsaved.get(file) ?? 0) + Math.max(0, this.pack(file).size - entries.size);
      if (this.dir && stale > 0 && stale * REWRITE_SHARE >= entries.size) {
        writePack(this.packFile(file), this.salt, packed(entries));
      }
      this.used.delete(file);
      this.loaded.delete(file);
      this.unsaved.delete(file);
      this.split.delete(file);
    }
  }

  private note(file: string, entries: number): void {
    this.unsaved.set(file, (this.unsaved.get(file) ?? 0) + entries);
  }

  /** `entry`'s parse, now `parse`, for this run and the next. */
  private update(file: string, entry: Entry, parse: EntryParse): void {
    entry.parse = parse;
    this.used.get(file)?.set(entry.text, parse);
  }

  private entries(file: string, text: string): Entry[] | undefined {
    const earlier = this.split.get(file);
    if (earlier?.text === text) return earlier.entries;
    const split = splitEntries(text);
    if (!split) return undefined;
    const used = this.used.get(file) ?? new Map<string, EntryParse>();
    this.used.set(file, used);
    const pack = this.pack(file);
    // Each entry looked up once: with 10,000 entries, hashing their texts for the lookups is what costs.
    const parses = split.map(({ text: entryText }) => used.get(entryText) ?? pack.get(entryText));
    const missing = [...new Set(split.flatMap(({ text: entryText }, index) => (parses[index] ? [] : [entryText])))];
    if (missing.length > 0) {
      if (this.reading && missing.length * READER_SHARE > split.length) return undefined;
      // All in one parse: for a first run that costs a tenth of parsing each entry alone.
      const parsed = parseEntries(missing);
      if (!parsed) return undefined;
      for (const [index, { text: entryText }] of split.entries()) parses[index] ??= parsed.get(entryText);
      this.note(file, missing.length);
    }
    const entries: Entry[] = [];
    for (const [index, { start, text: entryText }] of split.entries()) {
      const parse = parses[index];
      if (!parse) return undefined;
      used.set(entryText, parse);
      entries.push({ start, text: entryText, parse });
    }
    this.split.set(file, { text, entries });
    return entries;
  }

  private packFile(file: string): string {
    return join(this.dir ?? '', `${encodeURIComponent(file)}.json`);
  }

  private pack(file: string): Map<string, EntryParse> {
    let pack = this.loaded.get(file);
    if (!pack) {
      const opened = this.dir ? openPack(this.packFile(file), this.salt) : undefined;
      pack = (opened && unpacked(opened)) ?? new Map();
      this.loaded.set(file, pack);
    }
    return pack;
  }
}

/**
 * A pack of entry parses: each parse in the header but its node ranges, which are texts of their own
 * (a quarter of the bytes, and read only when a position is asked for: an error, a pin edit).
 */
function packed(entries: ReadonlyMap<string, EntryParse>): Pack {
  const data: [string, Omit<EntryParse, 'nodes'>][] = [];
  const texts: string[] = [];
  for (const [text, { nodes, ...parse }] of entries) {
    data.push([text, parse]);
    texts.push(JSON.stringify(nodes));
  }
  return { data, texts };
}

/** The parses of a pack {@link packed} made, each reading its node ranges when first asked for; undefined when it is not one. */
function unpacked(pack: OpenPack): Map<string, EntryParse> | undefined {
  const data = pack.data as [string, Omit<EntryParse, 'nodes'>][];
  if (!Array.isArray(data) || data.length !== pack.count) return undefined;
  const parses = new Map<string, EntryParse>();
  for (const [index, [text, parse]] of data.entries()) {
    let nodes: EntryParse['nodes'] | undefined;
    parses.set(text, {
      ...parse,
      get nodes() {
        // Damaged texts: the entry is parsed again for its ranges (a parse depends on its text alone).
        nodes ??= (JSON.parse(pack.text(index) ?? 'null') as EntryParse['nodes'] | null) ?? parseEntries([text])?.get(text)?.nodes ?? [];
        return nodes;
      },
    });
  }
  return parses;
}

/** The entries of `text` with their offsets, or undefined when a line breaks the rules above. */
function splitEntries(text: string): { readonly start: number; readonly text: string }[] | undefined {
  const starts: number[] = [];
  // The start of the run of blank and comment lines above the current line.
  let leading: number | undefined;
  for (let offset = 0; offset < text.length; ) {
    const newline = text.indexOf('\n', offset);
    const next = newline === -1 ? text.length : newline + 1;
    const first = text[offset] ?? '';
    if (first === '\n' || first === '#') leading ??= offset;
    else if (first === ' ' && starts.length > 0) leading = undefined;
    else if (ENTRY_START.test(first)) {
      starts.push(starts.length === 0 ? 0 : (leading ?? offset));
      leading = undefined;
    } else return undefined;
    offset = next;
  }
  if (starts.length === 0) return undefined;
  return starts.map((start, index) => ({ start, text: text.slice(start, starts[index + 1] ?? text.length) }));
}

/**
 * Entries parsed together, one document made of them all, each parse then taken from its part: the
 * same as parsing each alone (every entry starts a line at column 0 with one plain key, see above),
 * or undefined when the document fails, holds an anchor or alias, or is not one key per entry.
 */
function parseEntries(texts: readonly string[]): Map<string, EntryParse> | undefined {
  const combined = texts.join('');
  const read = readAsBlocks(combined) ?? readWithYaml(combined);
  if (!read || read.keys.length !== texts.length) return undefined;
  const starts = startsOf(texts);
  // Without a tag or a carriage return (which Flux's parse reads differently) the markers of this
  // parse are the markers Flux sees, without a second parse.
  const flux = combined.includes('!') || combined.includes('\r') ? undefined : markersByEntry(read.markers(), starts);
  const nodes = new Map<string, [string, number, number, number][]>();
  for (const [path, range] of read.nodes) {
    const separator = path.indexOf('\u0000');
    const key = separator < 0 ? path : path.slice(0, separator);
    let group = nodes.get(key);
    if (!group) {
      group = [];
      nodes.set(key, group);
    }
    group.push([path, range.key ?? -1, range.start ?? -1, range.end ?? -1]);
  }
  const parses = new Map<string, EntryParse>();
  for (const [index, { key, offset }] of read.keys.entries()) {
    const start = starts[index] ?? 0;
    const end = starts[index + 1] ?? combined.length;
    if (offset < start || offset >= end) return undefined;
    const relative = (value: number) => (value < 0 ? -1 : value - start);
    parses.set(texts[index] ?? '', {
      key,
      value: read.data[key],
      nodes: (nodes.get(key) ?? []).map(([path, keyAt, from, to]) => [path, relative(keyAt), relative(from), relative(to)] as const),
      root: offset - start,
      ...(flux ? { flux: flux[index] ?? [] } : {}),
    });
  }
  return parses;
}

/** Entries as `yaml` reads them, in the terms of {@link parseBlockMapping}; undefined when they are not one plain key each. */
function readWithYaml(text: string): EntriesReading | undefined {
  let parsed: ReturnType<typeof parseYamlDocument>;
  try {
    parsed = parseYamlDocument('', text);
  } catch {
    return undefined;
  }
  const { document, data } = parsed;
  const contents = document.contents;
  if (!isMap(contents) || sharesNodes(document, text)) return undefined;
  const keys: { key: string; offset: number }[] = [];
  for (const { key } of contents.items) {
    const offset = isScalar(key) ? key.range?.[0] : undefined;
    if (!isScalar(key) || typeof key.value !== 'string' || offset === undefined) return undefined;
    keys.push({ key: key.value, offset });
  }
  const nodes = indexNodes(document);
  nodes.delete(pathKey([]));
  // Comments attach to the same nodes whatever the schema (the caller asks for them where Flux reads the text alike).
  return { keys, data: data as Record<string, unknown>, nodes, markers: () => markedIn([{ document, text }]) };
}

/** Entries read by {@link parseBlockMapping}, their markers taken from the values' line comments; undefined when it declines them. */
function readAsBlocks(text: string): EntriesReading | undefined {
  const read = parseBlockMapping(text);
  if (!read) return undefined;
  const markers = () =>
    read.comments.flatMap(({ start, comment }) => {
      const marker = parseSetterMarker(comment);
      return marker ? [{ start, policy: marker.policy }] : [];
    });
  return { ...read, markers };
}

/** The markers Flux sees in `documents`: where each marked value starts, and its policy. */
function markedIn(documents: readonly FluxDocument[]): FoundMarker[] {
  return findMarkedScalars(documents).map(({ node, marker }) => ({ start: node.range?.[0] ?? 0, policy: marker.policy }));
}

/**
 * The policies of the markers Flux sees in each of `texts` (entries of one file, parsed together as
 * {@link parseEntries} does), or undefined when Flux cannot parse them. Text without `#` holds no
 * marker, and without `!` no tag Flux's schema could refuse: it is not parsed.
 */
function fluxMarkersOf(texts: readonly string[]): string[][] | undefined {
  const combined = texts.join('');
  if (!combined.includes('#') && !combined.includes('!')) return texts.map(() => []);
  const documents = parseFluxDocuments(combined);
  return documents && markersByEntry(markedIn(documents), startsOf(texts));
}

/** The policies of `markers` by the entry (starting at `starts`) each is in. */
function markersByEntry(markers: readonly FoundMarker[], starts: readonly number[]): string[][] {
  const found: string[][] = starts.map(() => []);
  for (const { start, policy } of markers) {
    // The last entry starting at or before the marked value (binary search).
    let [low, high] = [0, starts.length - 1];
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] ?? 0) <= start) low = middle;
      else high = middle - 1;
    }
    found[low]?.push(policy);
  }
  return found;
}

/** Where each of `texts` starts in their concatenation. */
function startsOf(texts: readonly string[]): number[] {
  const starts: number[] = [];
  let offset = 0;
  for (const text of texts) {
    starts.push(offset);
    offset += text.length;
  }
  return starts;
}

/** Whether the document has an anchor or alias (an entry could then depend on another). */
function sharesNodes(document: Document.Parsed, text: string): boolean {
  // Neither can be written without its indicator.
  if (!text.includes('&') && !text.includes('*')) return false;
  let shared = false;
  visit(document, {
    Node(_key, node) {
      if (isAlias(node) || node.anchor) shared = true;
    },
  });
  return shared;
}
