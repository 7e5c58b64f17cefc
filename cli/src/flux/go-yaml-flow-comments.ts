/**
 * Flow collections that hold comments, written as go-yaml v3's emitter writes them (emitterc.go,
 * `yaml_emitter_emit_flow_sequence_item` and `yaml_emitter_emit_flow_mapping_key`): npm `yaml` keeps
 * such comments on other nodes than go-yaml's parser does, and lays them out differently.
 *
 * The comments are read from the source, as go-yaml's parser attaches them: comment lines right
 * before an item are its head comment, a comment after it on its line its line comment, and comment
 * lines after it up to a blank line its foot comment (for a mapping, head and foot belong to the key
 * and the line comment to the value). Only collections of scalars whose comments fall into these
 * places are handled; anything else is left to the caller's usual writing.
 */
import { isMap, isPair, isScalar, isSeq, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

/** One item (a scalar, or a key and its scalar value) with the comments go-yaml gives it, each line with its `#`. */
interface FlowItem {
  readonly key?: Scalar;
  readonly value: Scalar;
  /** Comment lines right above the item (in a mapping, above the key). */
  readonly head: string[];
  /** The comment after the item on its line (in a mapping, the value's). */
  readonly line: string | undefined;
  /** Comment lines after the item up to a blank line (in a mapping, the key's). */
  readonly foot: string[];
}

/** A flow collection with comments, ready to write. */
export interface CommentedFlow {
  readonly kind: 'sequence' | 'mapping';
  readonly items: readonly FlowItem[];
  /** A comment after the closing bracket on its line. */
  readonly line: string | undefined;
}

/** The comments of a flow collection of scalars as go-yaml attaches them, or undefined when it holds none or other shapes. */
export function commentedFlow(collection: YAMLSeq | YAMLMap, text: string): CommentedFlow | undefined {
  const [start, end] = collection.range ?? [];
  if (start === undefined || end === undefined || !text.slice(start, end).includes('#')) return undefined;
  const nodes: { key?: Scalar; value: Scalar }[] = [];
  for (const item of collection.items) {
    if (isSeq(collection) && isScalar(item)) nodes.push({ value: item });
    else if (isMap(collection) && isPair(item) && isScalar(item.key) && isScalar(item.value)) nodes.push({ key: item.key, value: item.value });
    else return undefined;
  }
  if (nodes.length === 0) return undefined;
  const first = (node: { key?: Scalar; value: Scalar }) => (node.key ?? node.value).range?.[0];
  const last = (node: { key?: Scalar; value: Scalar }) => node.value.range?.[1];
  const gaps: string[] = [];
  let previous = start + 1;
  for (const node of nodes) {
    const from = first(node);
    const to = last(node);
    if (from === undefined || to === undefined) return undefined;
    // Nothing but the separator between a key and its value.
    if (node.key && !/^\s*:\s*$/.test(text.slice(node.key.range?.[1] ?? from, node.value.range?.[0] ?? to))) return undefined;
    gaps.push(text.slice(previous, from));
    previous = to;
  }
  const close = text.lastIndexOf(isSeq(collection) ? ']' : '}', end);
  if (close < previous) return undefined;
  gaps.push(text.slice(previous, close));
  const afterClose = /^[ \t]*(#[^\n]*)?/.exec(text.slice(close + 1))?.[1];

  const items: FlowItem[] = nodes.map((node) => ({ ...node, head: [], line: undefined, foot: [] }));
  for (const [index, gap] of gaps.entries()) {
    const lines = gap.split('\n');
    // The rest of the previous item's line: a comma and its line comment.
    const rest = /^\s*,?\s*(#.*)?$/.exec(lines[0] ?? '');
    if (!rest) return undefined;
    const before = items[index - 1];
    if (rest[1] !== undefined) {
      if (!before) return undefined;
      items[index - 1] = { ...before, line: rest[1] };
    }
    const comments = lines.slice(1, -1);
    const tail = lines.at(-1) ?? '';
    if (lines.length > 1 && !/^\s*,?\s*$/.test(tail)) return undefined;
    // Comment blocks separated by blank lines: after an item its foot, before the next its head.
    const blocks: string[][] = [[]];
    for (const line of comments) {
      const trimmed = line.trim();
      if (trimmed === '') blocks.push([]);
      else if (trimmed.startsWith('#')) blocks.at(-1)?.push(trimmed);
      else return undefined;
    }
    const filled = blocks.filter((block) => block.length > 0);
    const next = items[index];
    const endsWithBlank = (blocks.at(-1)?.length ?? 0) === 0 && blocks.length > 1;
    const head = next && !endsWithBlank && filled.length > 0 && blocks.at(-1) === filled.at(-1) ? filled.pop() : undefined;
    if (filled.length > 1 || (filled.length === 1 && !items[index - 1])) return undefined;
    const previousItem = items[index - 1];
    if (filled[0] && previousItem) items[index - 1] = { ...previousItem, foot: filled[0] };
    if (head && next) items[index] = { ...next, head };
  }
  return { kind: isSeq(collection) ? 'sequence' : 'mapping', items, line: afterClose };
}

/**
 * The collection as go-yaml writes it, starting at the opening bracket. `indent` is the emitter's
 * indentation where the collection is written (-1 at the top of a document, else the column of the key
 * whose value it is); `column` is where the bracket goes; `spell` gives each scalar's text.
 */
export function writeCommentedFlow(flow: CommentedFlow, indent: number, column: number, spell: (node: Scalar) => string): string {
  const writer = new FlowWriter(column);
  const outer = indent;
  writer.indent = outer < 0 ? 2 : 2 * Math.floor((outer + 2) / 2);
  writer.indicator(flow.kind === 'sequence' ? '[' : '{', true);
  let trail = false;
  let tail: string[] = [];
  for (const [index, item] of flow.items.entries()) {
    if (index > 0 && !trail) writer.indicator(',', false);
    if (flow.kind === 'mapping' && tail.length > 0) writer.comment(tail, true);
    tail = [];
    if (item.head.length > 0) writer.comment(item.head);
    if (writer.column === 0) writer.writeIndent();
    if (item.key) {
      writer.scalar(spell(item.key));
      writer.indicator(':', false);
    }
    writer.scalar(spell(item.value));
    const footHere = flow.kind === 'sequence' ? item.foot : [];
    trail = item.line !== undefined || footHere.length > 0;
    if (trail) writer.indicator(',', false);
    if (item.line !== undefined) writer.lineComment(item.line);
    if (footHere.length > 0) writer.comment(footHere, true);
    if (flow.kind === 'mapping') tail = item.foot;
  }
  if (flow.kind === 'mapping' && tail.length > 0) {
    if (!trail) writer.indicator(',', false);
    writer.comment(tail, true);
  }
  writer.indent = outer;
  if (flow.kind === 'sequence' && writer.column === 0) writer.writeIndent();
  writer.indicator(flow.kind === 'sequence' ? ']' : '}', false);
  if (flow.line !== undefined) writer.lineComment(flow.line);
  return writer.text.replace(/\n$/, '');
}

/** The few parts of go-yaml's emitter state that flow collections with comments use. */
class FlowWriter {
  text = '';
  indent = -1;
  private whitespace = true;
  private indention = false;
  private footIndent = -1;

  constructor(public column: number) {}

  indicator(indicator: string, isWhitespace: boolean): void {
    if (indicator === '[' || indicator === '{') {
      if (!this.whitespace) this.put(' ');
    }
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = false;
  }

  scalar(spelled: string): void {
    if (!this.whitespace) this.put(' ');
    this.put(spelled);
    this.whitespace = false;
    this.indention = false;
  }

  lineComment(comment: string): void {
    if (!this.whitespace) this.put(' ');
    this.put(comment);
    this.newline();
    this.whitespace = true;
  }

  /** A head, foot or tail comment on lines of its own; a foot or tail one makes a head comment after it start with a blank line. */
  comment(lines: readonly string[], foot = false): void {
    this.writeIndent();
    for (const [index, line] of lines.entries()) {
      if (index > 0) this.writeIndent();
      this.put(line);
      this.newline();
    }
    this.whitespace = true;
    if (foot) this.footIndent = Math.max(this.indent, 0);
  }

  writeIndent(): void {
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
