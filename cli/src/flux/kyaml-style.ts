/**
 * Re-serialises YAML the way Flux's image-automation-controller writes a file it changed (kyaml on
 * go-yaml v3, docs/flux-setters.md §4): every document re-emitted with 2-space mappings, one sequence
 * style per document, no blank lines, no `---`/`...` markers, and Flux's quoting rules.
 */
import { type Document, isCollection, isMap, isScalar, isSeq, parseDocument, type Scalar, visit } from 'yaml';
import { deriveSequenceIndentStyle } from '../render/sequence-indent-style.ts';

/** One document of a file as Flux sees it: parsed with every scalar kept as a string. */
export interface FluxDocument {
  readonly document: Document.Parsed;
  /** The document's raw text, which decides its sequence style. */
  readonly text: string;
}

const DOCUMENT_SEPARATOR = /\n---(.*)\n/;
const FLOW_NEEDS_QUOTES = /[:,[\]{}?]/;
// Characters go-yaml will not write in a plain or block scalar.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NEEDS_DOUBLE_QUOTES = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFEFF\t]|[\u{10000}-\u{10FFFF}]/u;

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
    const document = parseDocument(chunk, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
    if (document.errors.length > 0) return undefined;
    documents.push({ document, text: chunk });
  }
  return documents;
}

/** The bytes Flux writes for `documents`: empty and comment-only documents dropped, joined by `---`. */
export function serializeFluxDocuments(documents: readonly FluxDocument[]): string {
  return documents
    .filter(({ document }) => document.contents !== null && !(isScalar(document.contents) && document.contents.value === ''))
    .map(serializeDocument)
    .join('---\n');
}

function serializeDocument({ document, text }: FluxDocument): string {
  normalise(document, text);
  document.directives.docStart = null;
  document.directives.docEnd = false;
  const indentSeq = deriveSequenceIndentStyle(text) === 'wide';
  const out = document.toString({ lineWidth: 0, indent: 2, indentSeq, flowCollectionPadding: false, doubleQuotedAsJSON: true });
  return out.endsWith('\n') ? out : `${out}\n`;
}

function normalise(document: Document.Parsed, text: string): void {
  deleteEmptyMetadata(document);
  // Blank lines go (the one after a document head comment lives on the document, not on a node).
  visit(document, {
    Node(_key, node) {
      node.spaceBefore = false;
    },
  });
  visit(document, {
    Pair(_key, pair) {
      // A comment after `key:` whose value is a block collection stays on the key's line.
      const value = pair.value;
      if (!isCollection(value) || !value.commentBefore || !isScalar(pair.key)) return;
      const keyEnd = pair.key.range?.[1];
      if (keyEnd === undefined) return;
      const lineRest = text.slice(keyEnd, text.indexOf('\n', keyEnd));
      if (/^:\s*#/.test(lineRest)) {
        pair.key.comment = value.commentBefore;
        value.commentBefore = undefined;
      }
    },
    Scalar(_key, node, path) {
      quoteLikeGoYaml(
        node,
        path.some((ancestor) => (isMap(ancestor) || isSeq(ancestor)) && ancestor.flow === true),
      );
    },
  });
}

function quoteLikeGoYaml(node: Scalar, inFlow: boolean): void {
  const value = String(node.value);
  if (node.type === 'PLAIN' && inFlow && FLOW_NEEDS_QUOTES.test(value)) node.type = 'QUOTE_SINGLE';
  const isBlock = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  if (NEEDS_DOUBLE_QUOTES.test(value) || (isBlock && / \n| $/.test(value))) node.type = 'QUOTE_DOUBLE';
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
