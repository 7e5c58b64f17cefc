/**
 * Flow collections as go-yaml v3 writes them back (kyaml's unlimited line width): npm `yaml` lays them
 * out, and keeps their comments on other nodes, differently.
 *
 * The comments are read from the source as go-yaml's scanner, parser and decoder attach them
 * (scannerc.go keeps two tokens of lookahead so that each comment reaches the node before it):
 * comment lines right before an item are its head comment, a comment after it on its line its line
 * comment, and comment lines after it up to a blank line (or up to the closing bracket) its foot
 * comment. A collection's line and foot comments are those of its closing bracket; in a mapping,
 * the head comment belongs to the key, the line comment to the value and the foot comment to the key
 * (decode.go moves a value's foot to its key). A comment after an opening bracket on its line is lost:
 * decode.go replaces a collection's line comment from its start event with its end event's.
 *
 * The collection is then written through the events encode.go makes of those nodes (a key's foot
 * travels to the next key as its tail comment) and the flow states of emitterc.go
 * (`yaml_emitter_emit_flow_sequence_item`, `_flow_mapping_key`, `_flow_mapping_value`). Without
 * comments that is one line, where go-yaml differs from npm `yaml` in that:
 * - a key that is not simple (`yaml_emitter_check_simple_key`: a collection that is not empty, or a
 *   scalar whose anchor, tag and value pass 128 bytes) is written `? key : value`;
 * - an empty value (`{a}`, `{a: }`) is an untagged empty scalar to go-yaml's parser, which its
 *   emitter cannot write plain inside a flow collection: it writes `''`;
 * - a pair in a flow sequence (`[a: 1]`) is a mapping to go-yaml: `[{a: 1}]`.
 *
 * Collections holding anything else (a scalar on several lines, a comment between a key and its
 * value) are left to the caller. The caller writes the outermost collection's own anchor and tag, and
 * must keep in its document every anchor inside that an alias outside refers to (see
 * {@link innerAnchors}).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Pair, Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

/** Longest key, in bytes, go-yaml writes as a simple `key: value`; longer ones get `? key` / `: value`. */
const SIMPLE_KEY_MAX_BYTES = 128;

/**
 * Whether go-yaml writes `node` as a simple key (`key: value`) rather than `? key`: an empty collection
 * or a scalar on one line whose anchor name, tag and value come to at most 128 bytes
 * (`yaml_emitter_check_simple_key`).
 */
export function isSimpleKey(node: unknown): boolean {
  if (!isMap(node) && !isSeq(node) && !isScalar(node)) return true;
  const decorations = Buffer.byteLength(node.anchor ?? '') + Buffer.byteLength(node.tag ? goYamlTag(node.tag).counted : '');
  if (isMap(node) || isSeq(node)) return node.items.length === 0 && decorations <= SIMPLE_KEY_MAX_BYTES;
  const value = String(node.value ?? '');
  // A scalar on several lines (a line break of YAML 1.1's among them) is never a simple key.
  return !MULTILINE.test(value) && decorations + Buffer.byteLength(value) <= SIMPLE_KEY_MAX_BYTES;
}

const MULTILINE = /[\n\r\u0085\u2028\u2029]/;

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';
const MERGE_TAG = `${YAML_TAG_PREFIX}merge`;

/**
 * A tag as go-yaml writes it (`!!str`, `!local`, or `!<uri>` when no tag directive shortens it), and
 * the part of it go-yaml counts against a simple key's 128 bytes (its handle and suffix: the URI alone
 * for `!<uri>`).
 */
export function goYamlTag(tag: string): { readonly written: string; readonly counted: string } {
  const shortened = tag.startsWith(YAML_TAG_PREFIX) ? `!!${tag.slice(YAML_TAG_PREFIX.length)}` : tag;
  if (shortened.startsWith('!')) return { written: shortened, counted: shortened };
  return { written: `!<${tag}>`, counted: tag };
}

/** Comments go-yaml gives a node, each line with its `#`. */
interface NodeComments {
  /** Comment lines right above the node. */
  readonly head: readonly string[];
  /** The comment after the node (a collection: its closing bracket) on its line. */
  readonly line: string | undefined;
  /** Comment lines after the node up to a blank line or the closing bracket. */
  readonly foot: readonly string[];
}

/** A scalar inside a flow collection, with its comments (its anchor and tag are the node's). */
export interface FlowScalar extends NodeComments {
  readonly kind: 'scalar';
  readonly node: Scalar;
}

/** An alias (`*name`) inside a flow collection. */
interface FlowAlias extends NodeComments {
  readonly kind: 'alias';
  readonly name: string;
}

/** A flow collection with its items; its head comment is its opening bracket's, its line and foot ones its closing bracket's. */
export interface FlowCollection extends NodeComments {
  readonly kind: 'sequence' | 'mapping';
  /** Its anchor, and its tag as npm `yaml` resolved it; the outermost collection's are left to the caller. */
  readonly anchor?: string | undefined;
  readonly tag?: string | undefined;
  /** Sequence items, or a mapping's keys and values in turn. */
  readonly items: readonly FlowNode[];
}

export type FlowNode = FlowScalar | FlowAlias | FlowCollection;

/** The comments of a flow collection as go-yaml attaches them, or undefined when it holds none or shapes this module leaves alone. */
export function commentedFlow(collection: YAMLSeq | YAMLMap, text: string): FlowCollection | undefined {
  const [start, end] = collection.range ?? [];
  if (start === undefined || end === undefined || !text.slice(start, end).includes('#')) return undefined;
  const flow = readCollection(collection, text);
  if (!flow) return undefined;
  const line = /^[ \t]*(#[^\n]*)?/.exec(text.slice(end))?.[1];
  return { ...outermost(flow), line };
}

/** The anchors defined inside `collection` (its own left out), and how many of the aliases inside it name each. */
export function innerAnchors(collection: YAMLSeq | YAMLMap): { readonly anchors: ReadonlySet<string>; readonly aliases: ReadonlyMap<string, number> } {
  const anchors = new Set<string>();
  const aliases = new Map<string, number>();
  const walk = (node: unknown): void => {
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isAlias(node)) aliases.set(node.source, (aliases.get(node.source) ?? 0) + 1);
    else if ((isScalar(node) || isMap(node) || isSeq(node)) && node !== collection && node.anchor) anchors.add(node.anchor);
    if (isMap(node) || isSeq(node)) node.items.forEach(walk);
  };
  walk(collection);
  return { anchors, aliases };
}

/** Every scalar of `flow`, nested ones included, with the comments go-yaml gives it and whether it is a mapping key. */
export function flowScalars(flow: FlowCollection): { readonly scalar: FlowScalar; readonly isKey: boolean }[] {
  return flow.items.flatMap((item, index) => {
    if (item.kind === 'alias') return [];
    if (item.kind !== 'scalar') return flowScalars(item);
    return [{ scalar: item, isKey: flow.kind === 'mapping' && index % 2 === 0 }];
  });
}

/**
 * `collection` (parsed from `text`) as go-yaml writes it when it holds no comment, each scalar as
 * `spell` writes it: on one line. Undefined when it holds a comment or what this module leaves alone.
 */
export function goYamlFlow(collection: YAMLMap | YAMLSeq, text: string, spell: (node: Scalar) => string): string | undefined {
  const flow = readCollection(collection, text);
  if (!flow || hasComments(flow)) return undefined;
  return writeFlowCollection(outermost(flow), -1, 0, spell);
}

/** `flow` without its own anchor and tag, which the caller writes (its document keeps them on the node standing in for it). */
function outermost(flow: FlowCollection): FlowCollection {
  return { ...flow, anchor: undefined, tag: undefined };
}

function hasComments(node: FlowNode): boolean {
  if (node.head.length > 0 || node.line !== undefined || node.foot.length > 0) return true;
  return (node.kind === 'sequence' || node.kind === 'mapping') && node.items.some(hasComments);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A node's comments before any is attached (attaching replaces these arrays, never fills them). */
const UNCOMMENTED: NodeComments = { head: [], line: undefined, foot: [] };

function readCollection(collection: YAMLSeq | YAMLMap, text: string): FlowCollection | undefined {
  const [start, end] = collection.range ?? [];
  if (start === undefined || end === undefined) return undefined;
  const closer = isSeq(collection) ? ']' : '}';
  const close = end - 1;
  if (text[close] !== closer) return undefined;
  const entries = isSeq(collection)
    ? collection.items.map((item) => readItem(item, text))
    : collection.items.map((item) => isPair(item) && readPair(item, text));
  if (entries.some((entry) => !entry)) return undefined;
  const read = entries as ReadEntry[];
  // The text between one item (a pair, in a mapping) and the next, the brackets included as bounds.
  let previous = start + 1;
  for (let index = 0; index <= read.length; index++) {
    const entry = read[index];
    const gap = text.slice(previous, entry ? entry.start : close);
    const before = read[index - 1]?.last;
    if (!attachGap(gap, before, entry?.first)) return undefined;
    previous = entry?.end ?? close;
  }
  const items = read.flatMap((entry) => entry.nodes);
  // decode.go: a value's foot comment moves to its key.
  for (let index = 0; isMap(collection) && index < items.length; index += 2) {
    const key = items[index];
    const value = items[index + 1];
    if (key && value && key.foot.length === 0 && value.foot.length > 0) {
      key.foot = value.foot;
      value.foot = [];
    }
  }
  const { anchor, tag } = collection;
  return { kind: isSeq(collection) ? 'sequence' : 'mapping', items, anchor, tag, ...UNCOMMENTED };
}

/** An item of a collection as read: its nodes (a key and a value for a pair), where it starts and ends, and the nodes comments before and after it go to. */
interface ReadEntry {
  readonly nodes: Mutable<FlowNode>[];
  readonly first: Mutable<FlowNode>;
  readonly last: Mutable<FlowNode>;
  readonly start: number;
  readonly end: number;
}

/** Mappings made of a pair in a sequence: where go-yaml's parser puts comments around them is not modelled. */
const implicitMappings = new WeakSet<FlowNode>();

/** A sequence item; a pair there (`[a: 1]`) is a mapping of its own to go-yaml, taken only where nothing is commented around it. */
function readItem(item: unknown, text: string): ReadEntry | undefined {
  if (isMap(item) && !item.flow) {
    const [pair] = item.items;
    const read = item.items.length === 1 && pair ? readPair(pair, text) : undefined;
    if (!read || text.slice(read.start, read.end).includes('#')) return undefined;
    const mapping: Mutable<FlowNode> = { kind: 'mapping', items: read.nodes, ...UNCOMMENTED };
    implicitMappings.add(mapping);
    return { ...read, nodes: [mapping], first: mapping, last: mapping };
  }
  const node = readNode(item, text);
  const range = (item as { range?: [number, number, number] } | null)?.range;
  return node && range && { nodes: [node], first: node, last: node, start: propertiesStart(item, text), end: range[1] };
}

/** A mapping's pair: nothing but the separator may stand between its key and its value; a missing value is an empty scalar. */
function readPair(pair: Pair, text: string): ReadEntry | undefined {
  const key = readNode(pair.key, text);
  const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
  if (!key || !keyRange) return undefined;
  if (pair.value === null) {
    const empty = new Scalar('');
    empty.type = 'PLAIN';
    const value: Mutable<FlowNode> = { kind: 'scalar', node: empty, ...UNCOMMENTED };
    return { nodes: [key, value], first: key, last: value, start: propertiesStart(pair.key, text), end: keyRange[1] };
  }
  const value = readNode(pair.value, text);
  const valueRange = (pair.value as { range?: [number, number, number] }).range;
  if (!value || !valueRange) return undefined;
  const between = text.slice(keyRange[1], propertiesStart(pair.value, text));
  if (!/^\s*:\s*$/.test(between)) {
    // One comment between an explicit key or the colon and the value is the value's line comment to go-yaml.
    const explicit = /\?\s*$/.test(text.slice(0, propertiesStart(pair.key, text)));
    const comment = /^\s*(?::[ \t]+)?(#[^\n]*)\n\s*(?::\s*)?$/.exec(between);
    // (With a comment of its own after it, go-yaml writes both: left to npm `yaml`'s layout.)
    const own = /^[ \t]*#/.test(text.slice(valueRange[1]));
    if (!comment || (!explicit && !between.trimStart().startsWith(':')) || value.kind !== 'scalar' || own) return undefined;
    value.line = comment[1];
  }
  return { nodes: [key, value], first: key, last: value, start: propertiesStart(pair.key, text), end: valueRange[1] };
}

/** How far before a node its anchor and tag are looked for (longer ones leave the collection to the caller). */
const PROPERTIES_LOOKBEHIND = 512;

/** Where `node` starts in `text` with its anchor and tag, which npm `yaml` leaves out of its range. */
function propertiesStart(node: unknown, text: string): number {
  const { range, anchor, tag } = node as { range?: [number, number, number]; anchor?: string; tag?: string };
  const start = range?.[0] ?? 0;
  if (!anchor && !tag) return start;
  // Properties are short: looking at what stands right before the node keeps this linear in the file.
  const from = Math.max(0, start - PROPERTIES_LOOKBEHIND);
  const properties = /(?:(?:&[^\s,[\]{}]+|!<[^>]*>|![^\s,[\]{}]*)[ \t]+)+$/.exec(text.slice(from, start));
  return properties ? from + properties.index : start;
}

function readNode(node: unknown, text: string): Mutable<FlowNode> | undefined {
  if (isAlias(node)) return { kind: 'alias', name: node.source, ...UNCOMMENTED };
  if (isScalar(node)) {
    // Line and paragraph separators put any other scalar on several lines.
    if (/[\n\u2028\u2029]/.test(String(node.value)) && node.type !== 'QUOTE_DOUBLE') return undefined;
    return { kind: 'scalar', node, ...UNCOMMENTED };
  }
  if ((isSeq(node) || isMap(node)) && node.flow) return readCollection(node, text);
  return undefined;
}

/**
 * Attaches the comments of `gap`, the text between the item `before` and the item `after` (either
 * missing at a bracket): the rest of `before`'s line is its line comment, comment lines before a
 * blank line (or before the closing bracket) its foot, the comment lines right above `after` its head.
 * False when the gap holds anything else.
 */
function attachGap(gap: string, before: Mutable<FlowNode> | undefined, after: Mutable<FlowNode> | undefined): boolean {
  const lines = gap.split('\n');
  // The rest of the previous item's line: a comma and its line comment.
  const rest = /^\s*,?\s*(#.*)?$/.exec(lines[0] ?? '');
  if (!rest) return false;
  // After an opening bracket, the comment is the collection's start event's line comment, which
  // decode.go replaces with its end event's: the controller drops it.
  if (rest[1] !== undefined && before) before.line = rest[1];
  const comments = lines.slice(1, -1);
  const tail = lines.at(-1) ?? '';
  if (lines.length > 1 && !/^\s*,?\s*$/.test(tail)) return false;
  // Comment blocks separated by blank lines: after an item its foot, before the next its head.
  const blocks: string[][] = [[]];
  for (const line of comments) {
    const trimmed = line.trim();
    if (trimmed === '') blocks.push([]);
    else if (trimmed.startsWith('#')) blocks.at(-1)?.push(trimmed);
    else return false;
  }
  const filled = blocks.filter((block) => block.length > 0);
  const commented = rest[1] !== undefined || filled.length > 0;
  if (commented && ((before && implicitMappings.has(before)) || (after && implicitMappings.has(after)))) return false;
  const endsWithBlank = (blocks.at(-1)?.length ?? 0) === 0 && blocks.length > 1;
  const head = after && !endsWithBlank && filled.length > 0 && blocks.at(-1) === filled.at(-1) ? filled.pop() : undefined;
  if (filled.length > 1 || (filled.length === 1 && !before)) return false;
  if (filled[0] && before) before.foot = filled[0];
  if (head && after) after.head = head;
  return true;
}

/** One event of encode.go's stream for a flow collection, with the comments it carries. */
type FlowEvent =
  | { readonly type: 'scalar'; readonly node: Scalar; readonly comments: EventComments }
  | { readonly type: 'alias'; readonly name: string; readonly comments: EventComments }
  | { readonly type: 'start'; readonly flow: FlowCollection; readonly comments: EventComments }
  | { readonly type: 'end'; readonly comments: EventComments };

interface EventComments {
  readonly head?: readonly string[];
  readonly line?: string | undefined;
  readonly foot?: readonly string[];
  readonly tail?: readonly string[];
}

/** encode.go's events for `node`: a collection's start carries its head comment, its end its line and foot ones; a key's foot rides on the next key (or the end) as its tail. */
function eventsOf(node: FlowNode, tail: readonly string[] = []): FlowEvent[] {
  const comments = { head: node.head, line: node.line, foot: node.foot, tail };
  if (node.kind === 'scalar') return [{ type: 'scalar', node: node.node, comments }];
  if (node.kind === 'alias') return [{ type: 'alias', name: node.name, comments }];
  const events: FlowEvent[] = [{ type: 'start', flow: node, comments: { head: node.head, tail } }];
  if (node.kind === 'sequence') {
    for (const item of node.items) events.push(...eventsOf(item));
    events.push({ type: 'end', comments: { line: node.line, foot: node.foot } });
    return events;
  }
  let keyTail: readonly string[] = [];
  for (let index = 0; index + 1 < node.items.length; index += 2) {
    const key = node.items[index] as FlowNode;
    events.push(...eventsOf({ ...key, foot: [] }, keyTail));
    keyTail = key.foot;
    events.push(...eventsOf(node.items[index + 1] as FlowNode));
  }
  events.push({ type: 'end', comments: { line: node.line, foot: node.foot, tail: keyTail } });
  return events;
}

/**
 * The collection as go-yaml writes it, starting at the opening bracket. `indent` is the emitter's
 * indentation where the collection is written (-1 at the top of a document, else the column of the key
 * whose value it is); `column` is where the bracket goes; `spell` gives each scalar's text.
 */
export function writeFlowCollection(flow: FlowCollection, indent: number, column: number, spell: (node: Scalar) => string): string {
  const emitter = new FlowEmitter(column, indent, spell);
  for (const event of eventsOf(flow)) emitter.emit(event);
  return emitter.text.replace(/\n$/, '');
}

/** yaml_emitter_check_simple_key for the key `event` starts. */
function isSimpleEventKey(event: FlowEvent): boolean {
  if (event.type === 'scalar') return isSimpleKey(event.node);
  if (event.type === 'alias') return Buffer.byteLength(event.name) <= SIMPLE_KEY_MAX_BYTES;
  if (event.type !== 'start' || event.flow.items.length > 0) return false;
  const { anchor, tag } = event.flow;
  return Buffer.byteLength(anchor ?? '') + Buffer.byteLength(tag ? goYamlTag(tag).counted : '') <= SIMPLE_KEY_MAX_BYTES;
}

type State =
  | 'sequence-first'
  | 'sequence'
  | 'sequence-trail'
  | 'mapping-first'
  | 'mapping-key'
  | 'mapping-trail-key'
  | 'mapping-simple-value'
  | 'mapping-value'
  | 'done';

/** emitterc.go's flow states and the parts of its state they use, for one flow collection and what it holds. */
class FlowEmitter {
  text = '';
  private readonly states: State[] = [];
  private state: State = 'done';
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = false;
  private footIndent = -1;
  private head: readonly string[] = [];
  private line: string | undefined;
  private foot: readonly string[] = [];
  private tail: readonly string[] = [];

  constructor(
    private column: number,
    private indent: number,
    private readonly spell: (node: Scalar) => string,
  ) {}

  emit(event: FlowEvent): void {
    // yaml_emitter_analyze_event: a comment replaces the one waiting only when the event has one.
    const { head, line, foot, tail } = event.comments;
    if (head && head.length > 0) this.head = head;
    if (line !== undefined) this.line = line;
    if (foot && foot.length > 0) this.foot = foot;
    if (tail && tail.length > 0) this.tail = tail;
    const state = this.state;
    if (state === 'done') this.node(event);
    else if (state.startsWith('sequence')) this.sequenceItem(event, state === 'sequence-first', state === 'sequence-trail');
    else if (state.endsWith('value')) this.mappingValue(event, state === 'mapping-simple-value');
    else this.mappingKey(event, state === 'mapping-first', state === 'mapping-trail-key');
  }

  private get hasComments(): boolean {
    return this.line !== undefined || this.foot.length > 0 || this.tail.length > 0;
  }

  /** yaml_emitter_emit_node: a scalar is written, a collection only chooses the state its items need. */
  private node(event: FlowEvent): void {
    if (event.type === 'alias') {
      this.indicator(`*${event.name}`, false, true);
      this.state = this.states.pop() ?? 'done';
    } else if (event.type === 'scalar') {
      const { node } = event;
      // A plain `<<` is decoded with the merge tag, which the encoder writes: `<<` does not resolve back to it.
      const merge = node.type === 'PLAIN' && node.value === '<<' && !node.tag;
      this.properties(node.anchor, merge ? MERGE_TAG : node.tag);
      // npm `yaml` reads an explicit `!!merge <<` as its merge-key symbol.
      const spelled = typeof node.value === 'symbol' ? '<<' : node.type === 'PLAIN' && String(node.value) === '' ? "''" : this.spell(node);
      if (!this.whitespace) this.put(' ');
      this.put(spelled);
      this.whitespace = false;
      this.indention = false;
      this.state = this.states.pop() ?? 'done';
    } else if (event.type === 'start') {
      this.properties(event.flow.anchor, event.flow.tag);
      this.state = event.flow.kind === 'sequence' ? 'sequence-first' : 'mapping-first';
    }
  }

  /** yaml_emitter_process_anchor and _process_tag: `&anchor`, then the tag, each after a space. */
  private properties(anchor: string | undefined, tag: string | undefined): void {
    if (anchor) this.indicator(`&${anchor}`, false, true);
    if (tag) this.indicator(goYamlTag(tag).written, false, true);
  }

  /** yaml_emitter_emit_flow_sequence_item. */
  private sequenceItem(event: FlowEvent, first: boolean, trail: boolean): void {
    if (first) this.open('[');
    if (event.type === 'end') {
      this.close();
      if (this.column === 0) this.writeIndent();
      this.closeWith(']');
      return;
    }
    this.beginEntry(first, trail);
    this.states.push(this.hasComments ? 'sequence-trail' : 'sequence');
    this.node(event);
    this.afterNode();
  }

  /** yaml_emitter_emit_flow_mapping_key. */
  private mappingKey(event: FlowEvent, first: boolean, trail: boolean): void {
    if (first) this.open('{');
    if (event.type === 'end') {
      if ((this.head.length > 0 || this.foot.length > 0 || this.tail.length > 0) && !first && !trail) this.indicator(',', false);
      this.processHeadComment();
      this.close();
      this.closeWith('}');
      return;
    }
    this.beginEntry(first, trail);
    const simple = isSimpleEventKey(event);
    if (!simple) this.indicator('?', false, true);
    this.states.push(simple ? 'mapping-simple-value' : 'mapping-value');
    this.node(event);
  }

  /** yaml_emitter_emit_flow_mapping_value. */
  private mappingValue(event: FlowEvent, simple: boolean): void {
    if (simple) this.indicator(':', false);
    else this.indicator(':', false, true);
    this.states.push(this.hasComments ? 'mapping-trail-key' : 'mapping-key');
    this.node(event);
    this.afterNode();
  }

  /** Before an item or a key: the comma after the one before, its head comment, the indentation when on a new line. */
  private beginEntry(first: boolean, trail: boolean): void {
    if (!first && !trail) this.indicator(',', false);
    this.processHeadComment();
    if (this.column === 0) this.writeIndent();
  }

  /** The closing bracket, the comments after it, and back to the state that waited for the collection to end. */
  private closeWith(bracket: ']' | '}'): void {
    this.indicator(bracket, false);
    this.processLineComment();
    this.processFootComment();
    this.state = this.states.pop() ?? 'done';
  }

  /** After an item or a value: a comma before its line and foot comments, when it has any. */
  private afterNode(): void {
    if (this.hasComments) this.indicator(',', false);
    this.processLineComment();
    this.processFootComment();
  }

  private open(bracket: '[' | '{'): void {
    this.indicator(bracket, true, true);
    this.indents.push(this.indent);
    this.indent = this.indent < 0 ? 2 : 2 * Math.floor((this.indent + 2) / 2);
  }

  private close(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  /** yaml_emitter_write_indicator for `[`, `{`, `?` (after whitespace) and `,`, `:`, `]`, `}`. */
  private indicator(indicator: string, isWhitespace: boolean, needWhitespace = false): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = false;
  }

  private processHeadComment(): void {
    if (this.tail.length > 0) {
      this.writeIndent();
      this.writeComment(this.tail);
      this.tail = [];
      this.footIndent = Math.max(this.indent, 0);
    }
    if (this.head.length === 0) return;
    this.writeIndent();
    this.writeComment(this.head);
    this.head = [];
  }

  private processLineComment(): void {
    if (this.line === undefined) return;
    if (!this.whitespace) this.put(' ');
    this.writeComment([this.line]);
    this.line = undefined;
  }

  private processFootComment(): void {
    if (this.foot.length === 0) return;
    this.writeIndent();
    this.writeComment(this.foot);
    this.foot = [];
    this.footIndent = Math.max(this.indent, 0);
  }

  /** yaml_emitter_write_comment: each line at the indentation, ending with a line break. */
  private writeComment(lines: readonly string[]): void {
    for (const [index, line] of lines.entries()) {
      if (index > 0) this.writeIndent();
      this.put(line);
      this.newline();
    }
    this.whitespace = true;
  }

  /** yaml_emitter_write_indent. */
  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.newline();
    if (this.footIndent === indent) this.newline();
    this.put(' '.repeat(Math.max(0, indent - this.column)));
    this.whitespace = true;
    this.footIndent = -1;
  }

  private put(text: string): void {
    this.text += text;
    this.column += text.length;
  }

  private newline(): void {
    this.text += '\n';
    this.column = 0;
    this.indention = true;
  }
}
