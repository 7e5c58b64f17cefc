/**
 * Re-serialises YAML the way Flux's image-automation-controller writes a file it changed (kyaml on
 * go-yaml v3, docs/flux-setters.md §4): every document re-emitted with 2-space mappings, one sequence
 * style per document, no blank lines, no `---`/`...` markers, and Flux's quoting rules.
 */
import {
  type Document,
  isCollection,
  isDocument,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Range,
  Scalar,
  visit,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { goYamlBlockScalar } from './go-yaml-block-scalar.ts';
import { commentBelowLast, endsUnread, moveHeadCommentsBelowProperties, placeCommentsLikeGoYaml } from './go-yaml-comments.ts';
import { commentedFlow, type FlowCollection, goYamlFlow, goYamlTag, innerAnchors, isSimpleKey, writeFlowCollection } from './go-yaml-flow.ts';
import { deriveSequenceIndentStyle } from './sequence-indent-style.ts';
import { holdsYaml11Break, readYaml11Scalars, yaml11Lines } from './yaml11-breaks.ts';

/** One document of a file as Flux sees it: parsed with every scalar kept as a string. */
export interface FluxDocument {
  readonly document: Document.Parsed;
  /** The document's raw text, which decides its sequence style. */
  readonly text: string;
  /** The sequence style kyaml writes it with, when not derived from the text (List items: compact). */
  readonly sequenceStyle?: 'compact' | 'wide';
}

const DOCUMENT_SEPARATOR = /\n---(.*)\n/;
const FLOW_NEEDS_QUOTES = /[:,[\]{}?]/;
const LINE_SEPARATORS = /[\u2028\u2029]/;
// Characters go-yaml will not write in a plain or block scalar.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NEEDS_DOUBLE_QUOTES = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFEFF\t]|[\u{10000}-\u{10FFFF}]/u;
// The same, less the tab: a block scalar may hold tabs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NEEDS_DOUBLE_QUOTES_IN_BLOCK = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFEFF]|[\u{10000}-\u{10FFFF}]/u;

/**
 * Splits a file into documents like kyaml (on `\n---…\n` after CRLF → LF) and parses each; undefined
 * when Flux would fail to parse the file (it then skips the file silently).
 */
export function parseFluxDocuments(text: string): FluxDocument[] | undefined {
  const normalised = text.replace(/\r\n/g, '\n');
  const chunks: string[] = [];
  let rest = normalised;
  for (let match = DOCUMENT_SEPARATOR.exec(rest); match; match = DOCUMENT_SEPARATOR.exec(rest)) {
    if (!/^\s*(#.*)?$/.test(match[1] ?? '')) return undefined;
    chunks.push(rest.slice(0, match.index + 1));
    rest = rest.slice(match.index + match[0].length);
  }
  chunks.push(rest);
  const documents: FluxDocument[] = [];
  for (const chunk of chunks) {
    // go-yaml ends a line at NEL, LS and PS too: the document is read with them as line feeds, and
    // the scalars holding them get the value go-yaml folds from their source.
    const yaml11 = holdsYaml11Break(chunk);
    const lines = yaml11 ? yaml11Lines(chunk) : chunk;
    const document = parseDocument(lines, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
    if (document.errors.length > 0 || (yaml11 && !readYaml11Scalars(document, chunk))) return undefined;
    if (chunk.includes('\t') && blockScalarOpensWithTab(document, lines)) return undefined;
    documents.push({ document, text: lines });
  }
  return documents;
}

/**
 * Whether a block scalar without an indentation indicator has a tab where go-yaml looks for its
 * indentation (the first character after the spaces of its first line that is not empty): go-yaml
 * refuses the file there ("found a tab character where an indentation space is expected").
 */
function blockScalarOpensWithTab(document: Document.Parsed, text: string): boolean {
  let found = false;
  visit(document, {
    Scalar(_key, scalar) {
      if ((scalar.type !== 'BLOCK_LITERAL' && scalar.type !== 'BLOCK_FOLDED') || !scalar.range) return undefined;
      const [header = '', ...lines] = text.slice(scalar.range[0], scalar.range[1]).split('\n');
      if (/^[|>][+-]?[1-9]/.test(header)) return undefined;
      const first = lines.map((line) => line.replace(/^ +/, '')).find((rest) => rest !== '');
      found = first?.startsWith('\t') === true;
      return found ? visit.BREAK : undefined;
    },
  });
  return found;
}

const NULL_PLAIN = new Set(['', '~', 'null', 'Null', 'NULL']);

/**
 * Whether `document` holds nothing but null (empty, a comment, or a plain `null`/`~`): go-yaml tags it
 * `!!null`, and kyaml's reader drops it (`IsYNodeEmptyDoc`). A quoted `''` is a string, and stays.
 */
export function isNullDocument(document: Document.Parsed): boolean {
  const { contents } = document;
  if (contents === null) return true;
  if (!isScalar(contents)) return false;
  return (
    contents.tag === '!!null' ||
    contents.tag === 'tag:yaml.org,2002:null' ||
    (!contents.tag && contents.type === 'PLAIN' && NULL_PLAIN.has(String(contents.value)))
  );
}

/**
 * The bytes Flux writes for `documents`: empty and comment-only documents dropped, joined by `---`.
 * Never a `...`, not even after a kept (`|+`) block scalar that ends the stream: go-yaml's encoder
 * clears the emitter's open-ended state before the stream end (encode.go `finish`).
 */
export function serializeFluxDocuments(documents: readonly FluxDocument[]): string {
  return documents
    .filter(({ document }) => !isNullDocument(document))
    .map(serializeDocument)
    .join('---\n');
}

function serializeDocument({ document, text, sequenceStyle }: FluxDocument): string {
  const trailing = trailingComment(document, text);
  const { prefix, escaped, flowTexts, separated, dashComments, explicitKeys, blocks, feet, flows, propsBelowKeyComment } = normalise(document, text);
  document.directives.docStart = null;
  document.directives.docEnd = false;
  const indentSeq = (sequenceStyle ?? deriveSequenceIndentStyle(text)) === 'wide';
  let out = document.toString({ lineWidth: 0, indent: 2, indentSeq, flowCollectionPadding: false, doubleQuotedAsJSON: true });
  if (trailing?.direct) out = keepFootComment(document, out);
  // After a key's line comment go-yaml writes the value's anchor and tag at the start of the next
  // line (the comment's line break leaves the emitter at column 0 and nothing indents them).
  if (propsBelowKeyComment) out = out.replace(/(:[ \t]+#.*\n)[ \t]+([&!]\S*(?:[ \t]+[&!]\S*)*)$/gm, '$1$2');
  // Each kind of token is put back in one pass over the text: a file can hold thousands of them.
  const tokens = (kinds: string) => new RegExp(`${prefix}[${kinds}][0-9]+Z`, 'g');
  if (flows.size > 0) out = out.replace(tokens('L'), (token: string, at: number) => writeFlow(out, token, at, flows));
  const texts = new Map([...flowTexts, ...escaped]);
  if (texts.size > 0) out = out.replace(tokens('WQ'), (token) => texts.get(token) ?? token);
  if (separated.size > 0) out = out.replace(tokens('S'), (token: string, at: number) => writeSeparatedLines(out, at, separated.get(token) ?? token));
  if (dashComments.size > 0) {
    out = out.replace(new RegExp(`^( *)#(${prefix}D[0-9]+Z)\n\\1- `, 'gm'), (match: string, indent: string, token: string) => {
      const lines = dashComments.get(token);
      return lines ? writeDashComment(indent, lines) : match;
    });
  }
  for (const [token, key] of explicitKeys) out = writeExplicitKey(out, token, key);
  if (feet.size > 0) {
    out = out.replace(new RegExp(`^( *)# (${prefix}F[0-9]+Z)$`, 'gm'), (match: string, indent: string, token: string) => {
      const foot = feet.get(token);
      return foot ? writeFootComments(indent.length, foot) : match;
    });
  }
  if (blocks.size > 0) {
    out = out.replace(new RegExp(`${prefix}B[0-9]+Z\n?`, 'g'), (match: string, at: number) => {
      const block = blocks.get(match.trimEnd());
      return block ? writeBlockScalar(out, at, block) : match;
    });
  }
  return out.endsWith('\n') ? out : `${out}\n`;
}

/**
 * The comment lines after a document's last node, as go-yaml keeps them. A comment right below the
 * last node (`direct`: no blank line between) is that node's foot comment, written on the next line;
 * a comment after a blank line is the document's own, written after one; blank lines between them
 * stay (one each). npm `yaml` keeps them all as the document's comment, after a blank line, and may
 * drop the blank lines between; the document's comment is set from the source here. Undefined when
 * the document has no such comment or the source does not show it as column-0 lines.
 */
function trailingComment(document: Document.Parsed, text: string): { direct: boolean } | undefined {
  const end = document.contents?.range?.[2];
  if (!document.comment || end === undefined) return undefined;
  const lines = text.slice(end).replace(/\n$/, '').split('\n');
  if (!lines.every((line) => line === '' || line.startsWith('#'))) return undefined;
  const comment = lines
    .map((line) => line.slice(1))
    .join('\n')
    .replace(/\n{2,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
  const kept = document.comment.split('\n').filter((line) => line !== '');
  if (
    comment
      .split('\n')
      .filter((line) => line !== '')
      .join('\n') !== kept.join('\n')
  )
    return undefined;
  document.comment = comment;
  // Right below the last node it is that node's foot, unless go-yaml's scanner has no line for a foot
  // there (the whole document is on its first line, which ends in a token it has not read past) or
  // finds it unrelated to the node (left of the collection that a root sequence's last item opened).
  const firstLineEnd = text.indexOf('\n');
  const unread = end <= firstLineEnd + 1 && !holdsYaml11Break(text.slice(0, firstLineEnd)) && endsUnread(document, firstLineEnd);
  const root = document.contents;
  const last = isSeq(root) && !root.flow ? root.items.at(-1) : undefined;
  const unrelated = isCollection(last) && !last.flow && last.items.length > 0;
  return { direct: (lines[0]?.startsWith('#') ?? false) && !unread && !unrelated };
}

/** `out` without the blank line npm `yaml` writes before the document's comment (see {@link trailingComment}). */
function keepFootComment(document: Document.Parsed, out: string): string {
  const written = `\n\n${(document.comment ?? '').replace(/^(?!$)(?: $)?/gm, '#')}\n`;
  return out.endsWith(written) ? `${out.slice(0, -written.length)}\n${written.slice(2)}` : out;
}

/** A block scalar taken out of the npm serialiser's hands. */
interface BlockScalar {
  readonly value: string;
  readonly style: 'literal' | 'folded';
  readonly comment: string | undefined;
}

/**
 * The block scalar whose token stands at offset `at` of `out`, as go-yaml writes it, its lines indented
 * two spaces past its key (or its sequence dash).
 */
function writeBlockScalar(out: string, at: number, block: BlockScalar): string {
  // (Its anchor and tag, when it has them, stand between the owner and the scalar.)
  const prefix = out.slice(out.lastIndexOf('\n', at) + 1, at).replace(/(?:[&!]\S*\s+)+$/, '');
  const owner = /:\s*$/.test(prefix) ? prefix.search(/[^ -]/) : prefix.lastIndexOf('-');
  const text = goYamlBlockScalar(block.value, block.style, Math.max(owner, 0) + 2, block.comment);
  // A scalar that does not end its last line has it ended by what the emitter writes next.
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The comment lines below a nested block collection (null: a blank line), and the collection's column, as in the source. */
interface FootComments {
  readonly lines: readonly ({ readonly column: number; readonly text: string } | null)[];
  readonly column: number;
}

/**
 * The comment lines below a nested block collection, which npm `yaml` keeps on that collection, as
 * go-yaml writes them: each belongs to the node at its column (a foot comment of an outer node, or a
 * head comment of the next key at that column) and is written at that node's column. Source columns
 * map to written ones by their distance from the collection's own column.
 */
function footComments(collection: YAMLMap | YAMLSeq, text: string): FootComments | undefined {
  const [start, valueEnd, nodeEnd] = collection.range ?? [];
  if (start === undefined || valueEnd === undefined || nodeEnd === undefined || !collection.comment) return undefined;
  const lines = text
    .slice(valueEnd, nodeEnd)
    .replace(/\n[ \t]*$/, '')
    .split('\n')
    .map((line) => {
      const column = line.search(/\S/);
      return column < 0 ? null : { column, text: line.slice(column) };
    });
  const column = start - (text.lastIndexOf('\n', start - 1) + 1);
  const written = lines.filter((line) => line !== null);
  const kept = collection.comment.split('\n').filter((line) => line.trim() !== '');
  // Only comments, the ones npm yaml kept, and some of them at an outer column: otherwise nothing moves.
  if (written.length !== kept.length || written.some((line) => !line.text.startsWith('#')) || written.every((line) => line.column >= column)) return undefined;
  return { lines, column };
}

/** The foot comments that replace a comment line `# token` at column `indent`, each at its column (see {@link footComments}). */
function writeFootComments(indent: number, foot: FootComments): string {
  const lines = foot.lines.map((line) => (line === null ? '' : `${' '.repeat(Math.max(0, indent - Math.max(0, foot.column - line.column)))}${line.text}`));
  return lines.join('\n');
}

/** The flow collection written as `token` at offset `at` of `out` (at the top of the document, as a block mapping value or a block sequence item) as go-yaml writes it. */
function writeFlow(out: string, token: string, at: number, flows: ReadonlyMap<string, FlowCollection>): string {
  const flow = flows.get(token);
  if (!flow) return token;
  const { indent, column } = emitterIndent(out, at);
  return writeFlowCollection(flow, indent, column, scalarText);
}

/**
 * The emitter's indentation where the node at offset `at` of `out` is written (the column of its key
 * for a mapping value, of its dash for a sequence item, -1 at the top of a document), and its column.
 */
function emitterIndent(out: string, at: number): { indent: number; column: number } {
  const line = out.slice(out.lastIndexOf('\n', at - 1) + 1, at);
  // (An anchor or tag before the token belongs to it, not to a key.)
  const [, lead = '', key = ''] = /^((?: |- )*)(?:[&!]\S*\s+)*(.*)$/.exec(line) ?? [];
  return { indent: key !== '' ? lead.length : lead.endsWith('- ') ? lead.length - 2 : -1, column: line.length };
}

/**
 * The comment lines (each with its `#`) from a sequence dash to where `item`, a block collection
 * that is that sequence item, starts: `- # c` and the comment lines below it. go-yaml reads them as
 * the head comment of the item's first entry and writes them after the dash. Undefined when the
 * item's dash line holds no comment, or a blank line comes between.
 */
function dashLineComment(item: YAMLMap | YAMLSeq, text: string): string[] | undefined {
  const start = item.range?.[0];
  if (start === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (text.slice(lineStart, start).trim() !== '') return undefined;
  const lines: string[] = [];
  for (let end = lineStart - 1; end > 0; end = text.lastIndexOf('\n', end - 1)) {
    const line = text.slice(text.lastIndexOf('\n', end - 1) + 1, end);
    const dash = /^ *- +(#.*)$/.exec(line);
    if (dash) return [dash[1] ?? '', ...lines.reverse()];
    // Blank lines right above the item go; those between comment lines stay.
    if (line.trim() === '') {
      if (lines.length > 0) lines.push('');
      continue;
    }
    if (!/^ *#/.test(line)) return undefined;
    lines.push(line.trim());
  }
  return undefined;
}

/** The dash of a sequence item at `indent` with the comment that stood above it (`#token`) after it, as go-yaml writes a comment read there. */
function writeDashComment(indent: string, lines: readonly string[]): string {
  const inner = lines.map((line) => (line === '' ? '\n' : `\n${indent}  ${line}`)).join('');
  return `${indent}- ${inner.slice(indent.length + 3)}\n${indent}  `;
}

/**
 * The single-quoted scalar `value` that holds line or paragraph separators, for the token at offset
 * `at` of `out`, as go-yaml writes it: each separator is a line break to its emitter, which writes the
 * character (a line feed after text twice) and then indents the next character to the scalar's
 * indentation (two past the key of a mapping value, past the dash of a sequence item, 2 at the top of
 * a document), on the same line as a separator.
 */
function writeSeparatedLines(out: string, at: number, value: string): string {
  // The scalar's own indentation, one step past where it is written (yaml_emitter_increase_indent).
  const { indent: parent } = emitterIndent(out, at);
  const indent = ' '.repeat(parent < 0 ? 2 : parent + 2);
  let quoted = "'";
  let breaks = false;
  for (const char of value) {
    // A line feed is written on its own line (twice after text), a separator as itself.
    if (char === '\n' || LINE_SEPARATORS.test(char)) {
      quoted += char === '\n' && !breaks ? '\n\n' : char;
      breaks = true;
      continue;
    }
    quoted += `${breaks ? indent : ''}${char === "'" ? "''" : char}`;
    breaks = false;
  }
  return `${quoted}'`;
}

/**
 * `out` with the key written as `token:` turned into go-yaml's explicit form: `? key` on its line,
 * `:` below it at the same column, and a block mapping or sequence value starting on the `:` line.
 * A sequence there is indented two past the key whatever the document's style: go-yaml's emitter is
 * at the start of a line after `:`, so kyaml's compact indentation does not apply.
 */
function writeExplicitKey(out: string, token: string, key: string): string {
  const at = out.indexOf(`${token}:`);
  if (at < 0) return out;
  const column = at - (out.lastIndexOf('\n', at) + 1);
  let rest = out.slice(at + token.length + 1);
  const nested = new RegExp(`^\\n {${column + 2}}(?=[^ -])`).exec(rest);
  if (nested) rest = ` ${rest.slice(nested[0].length)}`;
  const sequence = new RegExp(`^\\n {${column}}( {2})?- `).exec(rest);
  if (sequence) {
    const lines = rest.slice(1).split('\n');
    const dash = `${' '.repeat(column)}- `;
    // A compact sequence (dashes at the key's column) moves two columns right, every line of it.
    const end = sequence[1] ? 0 : lines.findIndex((line) => !line.startsWith(dash) && !line.startsWith(' '.repeat(column + 1)));
    const shifted = lines.map((line, index) => (index < (end < 0 ? lines.length : end) ? `  ${line}` : line));
    rest = ` ${shifted.join('\n').slice(column + 2)}`;
  }
  return `${out.slice(0, at)}? ${key}\n${' '.repeat(column)}:${rest}`;
}

/**
 * Brings `document` into the shape go-yaml writes. What the npm serialiser cannot write that way is
 * replaced by unique plain tokens, each map holding what its tokens stand for: double-quoted scalars
 * go-yaml escapes differently from JSON (`escaped`), flow collections (`flowTexts`, or `flows` when
 * they hold comments), scalars with line or paragraph separators (`separated`), comments on a
 * sequence dash (`dashComments`), keys go-yaml does not write simple (`explicitKeys`), block scalars
 * (`blocks`) and comments below nested collections (`feet`).
 */
function normalise(
  document: Document.Parsed,
  text: string,
): {
  /** What every token starts with: text the file does not hold. */
  prefix: string;
  escaped: Map<string, string>;
  flowTexts: Map<string, string>;
  separated: Map<string, string>;
  dashComments: Map<string, string[]>;
  explicitKeys: Map<string, string>;
  blocks: Map<string, BlockScalar>;
  feet: Map<string, FootComments>;
  flows: Map<string, FlowCollection>;
  /** Whether an anchored or tagged block collection took a key's line comment. */
  propsBelowKeyComment: boolean;
} {
  const escaped = new Map<string, string>();
  const flowTexts = new Map<string, string>();
  const separated = new Map<string, string>();
  const dashComments = new Map<string, string[]>();
  const flows = new Map<string, FlowCollection>();
  const feet = new Map<string, FootComments>();
  const explicitKeys = new Map<string, string>();
  let pendingKeyComment: string | undefined;
  let propsBelowKeyComment = false;
  const blocks = new Map<string, BlockScalar>();
  let prefix = 'MANIFOLDTOKEN';
  while (text.includes(prefix)) prefix += 'X';
  deleteEmptyMetadata(document);
  placeCommentsLikeGoYaml(document, text);
  // A flow collection written as text takes the anchors inside it out of the document: not one that an alias outside names.
  const documentAliases = new Map<string, number>();
  visit(document, {
    Alias(_key, alias) {
      documentAliases.set(alias.source, (documentAliases.get(alias.source) ?? 0) + 1);
    },
  });
  const holdsNeededAnchor = (collection: YAMLMap | YAMLSeq): boolean => {
    const { anchors, aliases } = innerAnchors(collection);
    return [...anchors].some((name) => (documentAliases.get(name) ?? 0) > (aliases.get(name) ?? 0));
  };
  // Flow collections without comments, written whole as go-yaml writes them; one that is a block
  // mapping's key and not empty becomes an explicit key.
  const flow = (_key: unknown, node: YAMLMap | YAMLSeq, path: readonly unknown[]) => {
    if (!node.flow) return undefined;
    if (holdsNeededAnchor(node)) return visit.SKIP;
    const written = goYamlFlow(node, text, (scalar) => {
      quoteLikeGoYaml(scalar, true);
      return scalarText(scalar);
    });
    if (written === undefined) return visit.SKIP;
    const parent = path.at(-1);
    const explicit = isPair(parent) && parent.key === node && !isSimpleKey(node);
    if (explicit && (node.anchor || node.tag)) return visit.SKIP;
    const token = explicit ? `${prefix}K${explicitKeys.size}Z` : `${prefix}W${flowTexts.size}Z`;
    // A foot comment below a flow mapping that is a sequence item is its last key's to go-yaml,
    // still pending when the mapping ends: the emitter writes a comma before the brace.
    const seq = isSeq(parent) && !parent.flow ? parent : undefined;
    const next = seq?.items[seq.items.indexOf(node) + 1];
    const pendingFoot =
      isMap(node) &&
      node.items.length > 0 &&
      (isNode(next) ? next.commentBefore?.endsWith('\n') === true : seq !== undefined && commentBelowLast(seq, node, text));
    (explicit ? explicitKeys : flowTexts).set(token, pendingFoot ? written.replace(/\}$/, ',}') : written);
    return standIn(token, node);
  };
  visit(document, { Map: flow, Seq: flow });
  // Blank lines go (the one after a document head comment lives on the document, not on a node).
  visit(document, {
    Node(_key, node) {
      node.spaceBefore = false;
    },
  });
  visit(document, {
    Map(_key, map) {
      footToken(map);
    },
    Seq(_key, seq) {
      footToken(seq);
      if (!seq.flow) for (const item of seq.items) dashToken(item);
    },
    Pair(_key, pair, path) {
      const key = pair.key;
      const inFlow = path.some((ancestor) => (isMap(ancestor) || isSeq(ancestor)) && ancestor.flow === true);
      // (An anchor an alias names stays on its node, for the serialiser to write the alias.)
      const named = isScalar(key) && key.anchor !== undefined && documentAliases.has(key.anchor);
      if (isScalar(key) && !inFlow && key.tag !== MERGE_TAG && !named && !isSimpleKey(key)) {
        const token = `${prefix}K${explicitKeys.size}Z`;
        // go-yaml writes the anchor, then the tag, then the scalar, after the `?`.
        const decorations = [...(key.anchor ? [`&${key.anchor}`] : []), ...(key.tag ? [goYamlTag(key.tag).written] : [])];
        explicitKeys.set(token, [...decorations, scalarText(key)].join(' '));
        key.value = token;
        key.type = 'PLAIN';
        key.anchor = undefined;
        key.tag = undefined;
      }
      if (inFlow || !isScalar(pair.key)) return;
      const value = pair.value;
      // go-yaml's emitter keeps a key's line comment (`? key # c`, or `key: # c` above a block value)
      // pending until a value takes it: a scalar without a line comment of its own (`key: value # c`)
      // or a block collection (`key: # c`); a flow collection, an alias or a commented scalar leaves it
      // for the next key's value, and a later key's own line comment replaces it.
      const own = keyLineComment(text, pair.key, value);
      if (own !== undefined && isNode(value)) {
        pendingKeyComment = own.first;
        value.commentBefore = own.rest;
      }
      if (pendingKeyComment === undefined) return;
      // (A flow collection may stand here as the scalar token it is written back from.)
      const flow = isScalar(value) && typeof value.value === 'string' && (flowTexts.has(value.value) || flows.has(value.value));
      if (isScalar(value) && !flow && !value.comment) {
        value.comment = pendingKeyComment;
        pendingKeyComment = undefined;
      } else if (isCollection(value) && !value.flow) {
        pair.key.comment = pendingKeyComment;
        pendingKeyComment = undefined;
        if (value.anchor || value.tag) propsBelowKeyComment = true;
      }
    },
    Scalar(key, node, path) {
      // A plain `<<` is a merge key to go-yaml, which writes its tag out.
      if (node.type === 'PLAIN' && node.value === '<<' && !node.tag) node.tag = MERGE_TAG;
      const inFlow = path.some((ancestor) => (isMap(ancestor) || isSeq(ancestor)) && ancestor.flow === true);
      quoteLikeGoYaml(node, inFlow, key === 'key');
      if (node.type === 'QUOTE_SINGLE' && !inFlow && LINE_SEPARATORS.test(String(node.value))) {
        const token = `${prefix}S${separated.size}Z`;
        separated.set(token, String(node.value));
        node.value = token;
        node.type = 'PLAIN';
        return;
      }
      if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
        const token = `${prefix}B${blocks.size}Z`;
        blocks.set(token, { value: String(node.value), style: node.type === 'BLOCK_LITERAL' ? 'literal' : 'folded', comment: node.comment ?? undefined });
        node.value = token;
        node.type = 'PLAIN';
        node.comment = undefined;
        return;
      }
      if (node.type !== 'QUOTE_DOUBLE') return;
      const quoted = goYamlDoubleQuoted(String(node.value));
      if (quoted === JSON.stringify(String(node.value))) return;
      const token = `${prefix}Q${escaped.size}Z`;
      escaped.set(token, quoted);
      node.value = token;
      node.type = 'PLAIN';
    },
  });
  // Flow collections with comments, at the top of the document, as a block mapping value or a block
  // sequence item, once their scalars are normalised.
  visit(document, {
    Node(_key, node, path) {
      if (!(isMap(node) || isSeq(node)) || !node.flow) return undefined;
      const parent = path.at(-1);
      const placed =
        isDocument(parent) ||
        (isSeq(parent) && !parent.flow) ||
        (isPair(parent) && parent.value === node && isMap(path.at(-2)) && !(path.at(-2) as YAMLMap).flow);
      const flow = placed && !holdsNeededAnchor(node) ? commentedFlow(node, text) : undefined;
      if (!flow) return visit.SKIP;
      const token = `${prefix}L${flows.size}Z`;
      flows.set(token, flow);
      return standIn(token, { commentBefore: node.commentBefore, anchor: node.anchor, tag: node.tag });
    },
  });
  moveHeadCommentsBelowProperties(document, text);
  return { prefix, escaped, flowTexts, separated, dashComments, explicitKeys, blocks, feet, flows, propsBelowKeyComment };

  function dashToken(item: unknown): void {
    const lines = isCollection(item) && !item.flow && item.items.length > 0 ? dashLineComment(item, text) : undefined;
    // (A blank line below the dash line is no line to go-yaml, which writes the entries right below.)
    const before = (item as YAMLMap | YAMLSeq).commentBefore?.replace(/\n+$/, '').split('\n') ?? [];
    if (!lines || before.slice(-lines.length).join('\n') !== lines.map((line) => line.slice(1)).join('\n')) return;
    const token = `${prefix}D${dashComments.size}Z`;
    dashComments.set(token, lines);
    (item as YAMLMap | YAMLSeq).commentBefore = [...before.slice(0, -lines.length), token].join('\n');
  }

  function footToken(collection: YAMLMap | YAMLSeq): void {
    const foot = collection.flow ? undefined : footComments(collection, text);
    if (!foot) return;
    const token = `${prefix}F${feet.size}Z`;
    feet.set(token, foot);
    collection.comment = ` ${token}`;
  }
}

/** A single-line scalar as go-yaml writes it in its own style. */
function scalarText(node: Scalar): string {
  const value = String(node.value);
  if (node.type === 'QUOTE_DOUBLE' || NEEDS_DOUBLE_QUOTES.test(value)) return goYamlDoubleQuoted(value);
  if (node.type === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`;
  return value;
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** go-yaml's own escapes in double-quoted scalars. */
const GO_YAML_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1b': '\\e',
  '"': '\\"',
  '\\': '\\\\',
  '\x85': '\\N',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

/**
 * `value` as go-yaml writes a double-quoted scalar: its named escapes, printable characters as they
 * are (go-yaml writes Unicode), everything else as `\xXX`, `\uXXXX` or `\UXXXXXXXX` (upper-case hex).
 */
export function goYamlDoubleQuoted(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    const named = GO_YAML_ESCAPES[char];
    if (named) out += named;
    else if (isGoYamlPrintable(code)) out += char;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return `${out}"`;
}

/** go-yaml's is_printable: tab, line breaks and other controls, the BOM, surrogates and everything beyond U+FFFD are not. */
function isGoYamlPrintable(code: number): boolean {
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff);
}

function hex(code: number, width: number): string {
  return code.toString(16).toUpperCase().padStart(width, '0');
}

/**
 * A plain scalar `token` standing where `node` was, with its comments, and its anchor and tag, which
 * the serialiser writes before the token as go-yaml writes them before a collection (an alias
 * elsewhere in the document still finds its anchor).
 */
/**
 * The line comment go-yaml gives `key`, split from the comments npm `yaml` puts before `value`: the
 * one after an explicit key (`? key # c`), or after `key:` when a block collection follows; with the
 * comment lines that stay before the value.
 */
function keyLineComment(text: string, key: Scalar, value: unknown): { first: string; rest: string | undefined } | undefined {
  const [start, end] = key.range ?? [];
  if (start === undefined || end === undefined || !isNode(value) || !value.commentBefore) return undefined;
  const lineEnd = text.indexOf('\n', end);
  const lineRest = text.slice(end, lineEnd === -1 ? undefined : lineEnd);
  const explicit = /^\s*(- +)*\? /.test(text.slice(text.lastIndexOf('\n', start - 1) + 1, start)) && /^\s*#/.test(lineRest);
  if (!explicit && !(isCollection(value) && !value.flow && /^:\s*#/.test(lineRest))) return undefined;
  const [first = '', ...rest] = value.commentBefore.split('\n');
  // (The comment lines below it are the value's head, with no blank line: npm `yaml` counts the `:` line as one.)
  const below = rest.join('\n').replace(/^\n+/, '');
  return { first, rest: below === '' ? undefined : below };
}

function standIn(token: string, node: { commentBefore?: string | null; comment?: string | null; anchor?: string; tag?: string; range?: Range | null }): Scalar {
  const stand = new Scalar(token);
  stand.range = node.range;
  stand.commentBefore = node.commentBefore;
  stand.comment = node.comment;
  stand.anchor = node.anchor;
  stand.tag = node.tag;
  return stand;
}

function quoteLikeGoYaml(node: Scalar, inFlow: boolean, isKey = false): void {
  const value = String(node.value);
  if (node.type === 'PLAIN' && inFlow && FLOW_NEEDS_QUOTES.test(value)) node.type = 'QUOTE_SINGLE';
  // A line or paragraph separator is a line break to go-yaml: never plain, and double-quoted in a key
  // or next to a space (then escaped \L, \P).
  if (!inFlow && (node.type === 'PLAIN' || node.type === 'QUOTE_SINGLE') && LINE_SEPARATORS.test(value) && !value.includes('\n')) {
    node.type = isKey || / [\u2028\u2029]|[\u2028\u2029] /.test(value) ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
  }
  const isBlock = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  // go-yaml allows no block style for an empty value, special characters or spaces before a line break or at the end;
  // a tab rules out only the plain and single-quoted styles (yaml_emitter_analyze_scalar's tab_characters).
  const special = isBlock ? NEEDS_DOUBLE_QUOTES_IN_BLOCK : NEEDS_DOUBLE_QUOTES;
  if (special.test(value) || (isBlock && (value === '' || / \n| $/.test(value)))) node.type = 'QUOTE_DOUBLE';
}

function deleteEmptyMetadata(document: Document.Parsed): void {
  if (!isMap(document.contents)) return;
  const metadata = document.contents.get('metadata', true);
  const isEmpty = (node: unknown): boolean =>
    node === null ||
    node === undefined ||
    (isMap(node) && node.items.length === 0) ||
    (isScalar(node) && (node.value === '' || node.value === 'null' || node.value === '~'));
  if (isMap(metadata) && metadata.items.length === 0) {
    document.contents.delete('metadata');
    return;
  }
  if (isMap(metadata) && metadata.has('annotations') && isEmpty(metadata.get('annotations', true))) metadata.delete('annotations');
}
