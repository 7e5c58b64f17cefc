/** A port of kyaml's DeriveSeqIndentStyle: how Flux decides the sequence style of a document. */

/** `wide` puts `- ` two spaces deeper than its key; `compact` at the key's indent. */
export type SequenceIndentStyle = 'wide' | 'compact';

const SEQUENCE_ITEM = /^( *)- /;

/**
 * The sequence style Flux will use when it re-serialises `document` (raw YAML text of one
 * document). Takes the first `- ` line whose previous non-comment line ends in its only `:`;
 * the default, when none qualifies, is compact.
 */
export function deriveSequenceIndentStyle(document: string): SequenceIndentStyle {
  const lines = document.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const item = SEQUENCE_ITEM.exec(lines[index] ?? '');
    if (!item) continue;
    const previous = previousContentLine(lines, index);
    if (previous === undefined) continue;
    const keyIndent = previous.length - previous.trimStart().length;
    const itemIndent = item[1]?.length ?? 0;
    if (itemIndent === keyIndent) return 'compact';
    if (itemIndent === keyIndent + 2) return 'wide';
  }
  return 'compact';
}

function previousContentLine(lines: readonly string[], index: number): string | undefined {
  for (let previous = index - 1; previous >= 0; previous--) {
    const line = (lines[previous] ?? '').replace(/#.*$/, '').trimEnd();
    if (line.trim() === '') continue;
    const colons = line.split(':').length - 1;
    return colons === 1 && line.endsWith(':') ? line : undefined;
  }
  return undefined;
}
