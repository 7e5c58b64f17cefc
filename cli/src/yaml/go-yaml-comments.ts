/**
 * Where go-yaml v3 attaches comments, and so where the controller writes them back, where npm `yaml`
 * attaches them elsewhere (each rule found and checked with the go-yaml oracle, e2e/go-yaml): blank
 * lines below comments that go-yaml's scanner makes head rather than foot comments, comments between
 * sequence items and after a collection's last entry that it gives to another node, comments around
 * a tag or an anchor. The passes change only where comments sit in the parsed document; kyaml-style.ts
 * writes it.
 */
import { type Document, isCollection, isDocument, isNode, isPair, isScalar, isSeq, type Node, visit, type YAMLMap, type YAMLSeq } from 'yaml';
import { holdsYaml11Break } from './yaml11-breaks.ts';

/** A comment line with a blank line below it. */
const COMMENT_ABOVE_BLANK_LINE = /#[^\n]*\n[ \t]*\n/;

/**
 * Moves the comments of `document` (parsed from `text`) to where go-yaml has them, before any node
 * is replaced for writing. Each pass runs only where the text can hold what it looks for: files with
 * many entries (a 2,000-pin images.yaml) pass through here on every pin edit.
 */
export function placeCommentsLikeGoYaml(document: Document.Parsed, text: string): void {
  trimBareDashLines(document, text);
  if (COMMENT_ABOVE_BLANK_LINE.test(text)) {
    trimHeadCommentBlankLines(document, text);
    moveDedentedFeetDown(document, text);
  }
  if (/^[ \t]+#/m.test(text)) moveFeetIntoLastCollection(document, text);
}

/**
 * A block collection below a bare dash (`-`, the collection on the next line): npm `yaml` counts the
 * dash line as an empty line after the comments above the item, go-yaml does not (nor writes it).
 */
function trimBareDashLines(document: Document.Parsed, text: string): void {
  visit(document, {
    Seq(_key, seq) {
      if (seq.flow) return;
      for (const item of seq.items) {
        if (!isCollection(item) || item.flow || !item.commentBefore?.endsWith('\n') || item.range === undefined || item.range === null) continue;
        const lineStart = text.lastIndexOf('\n', item.range[0] - 1) + 1;
        const dashLine = text.slice(text.lastIndexOf('\n', lineStart - 2) + 1, Math.max(lineStart - 1, 0));
        if (/^\s*-\s*$/.test(dashLine) && /^\s*$/.test(text.slice(lineStart, item.range[0]))) item.commentBefore = item.commentBefore.slice(0, -1);
      }
    },
  });
}

/**
 * Comment lines with a blank line below them are a foot comment of the entry above to go-yaml's
 * scanner, which writes the blank line after them, but a head comment of the entry below (the blank
 * line lost) where there is no entry above (right below `key:`), and where the entry above is the
 * document's first line and ends in a token after which the scanner has not read the line break (a
 * quoted scalar, a flow collection or a line comment: it then knows no line for the foot; scannerc.go
 * yaml_parser_scan_comments, `scan_mark.line > 0`), or where a blank line is above them too
 * (`first_empty`).
 */
function trimHeadCommentBlankLines(document: Document.Parsed, text: string): void {
  const trim = (node: unknown) => {
    if (isNode(node) && node.commentBefore?.endsWith('\n')) node.commentBefore = node.commentBefore.replace(/\n+$/, '');
  };
  const entry = (collection: YAMLMap | YAMLSeq, index: number) => entryNode(collection.items[index]);
  const firstLineEnd = text.indexOf('\n');
  let firstLineUnread: boolean | undefined;
  /** Whether go-yaml makes the comment lines above `node`, with a blank line below them, its head. */
  const head = (node: unknown): boolean => {
    if (!isNode(node) || !node.commentBefore?.endsWith('\n') || !node.range) return false;
    const above = lineAboveComments(text, node.range[0]);
    if (above?.line === '') return true;
    if (!above?.first) return false;
    firstLineUnread ??= endsUnread(document, firstLineEnd);
    return firstLineUnread;
  };
  visit(document, {
    Collection(_key, collection, path) {
      if (collection.flow) return;
      const parent = path.at(-1);
      // (Below a tag or anchor the comment may be a foot: moveHeadCommentsBelowProperties.)
      if (isPair(parent) && parent.value === collection && !hasProperties(collection)) {
        trim(collection);
        if (!hasProperties(entry(collection, 0))) trim(entry(collection, 0));
      }
      for (let index = 1; index < collection.items.length; index++) if (head(entry(collection, index))) trim(entry(collection, index));
    },
  });
}

/**
 * Makes `comment` the foot of the first token of `collection` as go-yaml's emitter writes it: after
 * the first entry of the innermost collection that starts there, above the next entry (a blank line
 * kept), or below the collection when it has no other.
 */
function footOfFirstToken(collection: YAMLMap | YAMLSeq, comment: string): void {
  let owner = collection;
  for (let inner = owner.items[0]; isCollection(inner) && !hasProperties(inner) && inner.items.length > 0; inner = owner.items[0]) owner = inner;
  const next = entryNode(owner.items[1]);
  if (isNode(next)) prependComment(next, comment);
  else owner.comment = comment.replace(/\n+$/, '');
}

/**
 * Comment lines with a blank line below them, between two items of a block sequence and to the left
 * of the collection the item above opened, are no foot of that item to go-yaml's scanner (it is
 * "unrelated to the prior token") but the foot of the first token of the item below.
 */
function moveDedentedFeetDown(document: Document.Parsed, text: string): void {
  const column = (offset: number) => offset - text.lastIndexOf('\n', offset - 1) - 1;
  visit(document, {
    Seq(_key, seq) {
      if (seq.flow) return;
      for (let index = 1; index < seq.items.length; index++) {
        const item = seq.items[index];
        const above = seq.items[index - 1];
        if (!isNode(item) || !item.commentBefore?.endsWith('\n') || !item.range || hasProperties(item)) continue;
        if (!isCollection(above) || above.flow || above.items.length === 0 || !above.range) continue;
        if (commentColumnAbove(text, item.range[0]) >= column(above.range[0])) continue;
        const comment = item.commentBefore;
        item.commentBefore = undefined;
        if (isCollection(item) && !item.flow && item.items.length > 0) {
          footOfFirstToken(item, comment);
          continue;
        }
        // The foot of a scalar item: below it, above the next item.
        const next = seq.items[index + 1];
        if (isNode(next)) prependComment(next, comment);
        else seq.comment = comment.replace(/\n+$/, '');
      }
    },
  });
}

/** The column of the lowest comment line above the line holding `offset` (blank lines between skipped), or infinity. */
function commentColumnAbove(text: string, offset: number): number {
  for (const { raw } of linesAbove(text, offset)) {
    if (raw.trim() === '') continue;
    return raw.trim().startsWith('#') ? raw.indexOf('#') : Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Comment lines after a block collection's last entry that content further left follows: go-yaml's
 * scanner closes the blocks right of that content after the comments (yaml_parser_unroll_indent),
 * so they are the foot of the innermost collection the last entry opened, written at its column
 * with no blank line above them. (At the document's end every block closes first, and each comment
 * line keeps the node at its column: footComments.)
 */
function moveFeetIntoLastCollection(document: Document.Parsed, text: string): void {
  visit(document, {
    Collection(_key, collection) {
      const [, valueEnd, nodeEnd] = collection.range ?? [];
      if (collection.flow || !collection.comment || valueEnd === undefined || nodeEnd === undefined) return;
      let innermost: YAMLMap | YAMLSeq = collection;
      for (let last = lastValue(innermost); isCollection(last) && !last.flow && last.items.length > 0; last = lastValue(innermost)) innermost = last;
      const next = /^[ \t]*[^\s#]/m.exec(text.slice(nodeEnd));
      if (!next || (innermost !== collection && innermost.comment)) return;
      const columns = text
        .slice(valueEnd, nodeEnd)
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.search(/\S/));
      if (columns.length === 0 || columns.some((column) => column <= next[0].length - 1)) return;
      // (No blank line below them either: the emitter writes one only before a node at their column.)
      if (innermost === collection) {
        collection.comment = collection.comment.replace(/\n+$/, '');
        return;
      }
      // No blank line above them and one below: they are the foot of the last token, where they stand.
      const around = text
        .slice(valueEnd, nodeEnd + next.index)
        .split('\n')
        .slice(0, -1);
      if (valueEnd > 0 && text[valueEnd - 1] !== '\n') around.shift();
      const blankAbove = around[0]?.trim() === '';
      const blankBelow = around.at(-1)?.trim() === '';
      const comment = collection.comment.replace(/^\n+|\n+$/g, '');
      if (blankBelow && !blankAbove) {
        collection.comment = comment;
        return;
      }
      innermost.comment = comment;
      collection.comment = undefined;
    },
  });
}

/** The value of a collection's last entry. */
function lastValue(collection: YAMLMap | YAMLSeq): unknown {
  const last = collection.items.at(-1);
  return isPair(last) ? last.value : last;
}

/**
 * Whether a comment line right below `item`, the last item of the block sequence `seq`, stands at
 * the sequence's column or right of it (go-yaml then gives it to the item's last token).
 */
export function commentBelowLast(seq: YAMLSeq, item: YAMLMap | YAMLSeq, text: string): boolean {
  const end = item.range?.[1];
  const start = seq.range?.[0];
  if (end === undefined || start === undefined) return false;
  const lineEnd = text.indexOf('\n', end);
  // (Not after the document's first line, which go-yaml leaves no line for a foot.)
  if (lineEnd < 0 || text.lastIndexOf('\n', end - 1) < 0 || text.slice(end, lineEnd).trim() !== '') return false;
  const below = /^([ \t]*)#/.exec(text.slice(lineEnd + 1));
  return below !== null && (below[1]?.length ?? 0) >= start - (text.lastIndexOf('\n', start - 1) + 1);
}

/** The node of a collection entry that carries its head comment: a pair's key, or the item itself. */
function entryNode(item: unknown): unknown {
  return isPair(item) ? item.key : item;
}

/** Puts `comment` above the comment lines `node` already has above it. */
function prependComment(node: Node, comment: string): void {
  node.commentBefore = [comment, node.commentBefore].filter(Boolean).join('\n');
}

/** Whether `node` is a block collection with an anchor or a tag. */
function hasProperties(node: unknown): boolean {
  return isCollection(node) && !node.flow && Boolean(node.tag || node.anchor);
}

/** The lines above the line holding `offset` in `text`, nearest first: each as it stands, where it starts and where it ends. */
function* linesAbove(text: string, offset: number): Generator<{ readonly raw: string; readonly start: number; readonly end: number }> {
  for (let end = text.lastIndexOf('\n', offset - 1); end > 0; ) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    yield { raw: text.slice(start, end), start, end };
    end = start - 1;
  }
}

/**
 * The line above the comment lines (and the blank lines below them) above the line holding `offset`
 * in `text`, trimmed; where it ends; and whether it is the first line to go-yaml (which also ends
 * lines at NEL, LS and PS). Undefined when there is none.
 */
function lineAboveComments(text: string, offset: number): { line: string; end: number; first: boolean } | undefined {
  let comments = false;
  for (const { raw, start, end } of linesAbove(text, offset)) {
    const line = raw.trim();
    if (line === '' && !comments) continue;
    if (line.startsWith('#')) {
      comments = true;
      continue;
    }
    return { line, end, first: start === 0 && !holdsYaml11Break(line) };
  }
  return undefined;
}

/**
 * Whether the document's first line, which ends at `firstLineEnd`, ends in a token after which
 * go-yaml's scanner has not read the line break: a quoted scalar, a flow collection, a line comment.
 */
export function endsUnread(document: Document.Parsed, firstLineEnd: number): boolean {
  if (firstLineEnd < 0) return false;
  let last: Node | undefined;
  let commented = false;
  visit(document, {
    Node(_key, node) {
      const [start, end = Number.POSITIVE_INFINITY, nodeEnd = end] = node.range ?? [];
      if (start === undefined || end > firstLineEnd) return;
      if (!last || end >= (last.range?.[1] ?? 0)) last = node;
      if (node.comment && nodeEnd <= firstLineEnd + 1) commented = true;
    },
  });
  return commented || (isScalar(last) && (last.type === 'QUOTE_DOUBLE' || last.type === 'QUOTE_SINGLE')) || (isCollection(last) && last.flow === true);
}

/**
 * A tagged or anchored block collection's head comment is its first entry's to go-yaml, written
 * below the tag, without the blank line npm `yaml` makes of the tag's own line; so is the head comment
 * of a mapping value that is a sequence whose first item is such a collection.
 */
export function moveHeadCommentsBelowProperties(document: Document.Parsed, text: string): void {
  if (!/[&!]/.test(text)) return;
  visit(document, {
    Collection(_key, collection, path) {
      const entry = entryNode(collection.items[0]);
      const parent = path.at(-1);
      if (collection.flow || !isNode(entry) || !entry.range || isDocument(parent)) return;
      if (hasProperties(collection)) {
        // npm `yaml` gives the comment lines above the tag and below it to the collection or to its
        // first entry; the lines below it are those between the tag's line and the entry.
        const lines = [collection.commentBefore, entry.commentBefore].filter(Boolean).join('\n').split('\n');
        if (lines.join('') === '') return;
        collection.commentBefore = undefined;
        entry.commentBefore = undefined;
        const tagLine = lineAboveComments(text, entry.range[0]);
        const entryLine = text.lastIndexOf('\n', entry.range[0] - 1);
        const belowCount = text
          .slice((tagLine?.end ?? 0) + 1, entryLine + 1)
          .split('\n')
          .filter((line) => line.trim().startsWith('#')).length;
        const comments = lines.filter((line) => line !== '');
        const above = comments.slice(0, comments.length - belowCount).join('\n');
        const below = `${comments.slice(comments.length - belowCount).join('\n')}${lines.at(-1) === '' ? '\n' : ''}`;
        // Below the tag with a blank line below them, they are the foot of the first token after the
        // tag (written after the first entry of the innermost collection that starts there), unless
        // the tag is on the document's first line (as in trimHeadCommentBlankLines).
        const foot = belowCount > 0 && below.endsWith('\n') && tagLine !== undefined && !tagLine.first;
        if (foot) footOfFirstToken(collection, below);
        const head = foot ? above : [above, below.replace(/\n+$/, '')].filter(Boolean).join('\n');
        if (head) entry.commentBefore = head;
      } else if (isSeq(collection) && isPair(parent) && hasProperties(entry) && collection.commentBefore) {
        prependComment(entry, collection.commentBefore);
        collection.commentBefore = undefined;
      }
    },
  });
}
