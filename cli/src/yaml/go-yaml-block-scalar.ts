/**
 * Literal (`|`) and folded (`>`) scalars exactly as go-yaml v3's emitter writes them
 * (emitterc.go: yaml_emitter_write_block_scalar_hints, _write_literal_scalar, _write_folded_scalar),
 * quirks included:
 * - an indentation indicator (`|2`) when the value starts with a space or a line break, and then the
 *   first line break ends the header line, so a leading empty line is lost;
 * - chomping: `-` without a final line break, `+` with two (or a value that is one), clip otherwise
 *   (the emitter would end an open-ended stream with `...`, but the encoder clears that state first);
 * - in folded scalars, a line break after a line of text is written twice unless the value starts
 *   with a blank (its check looks at the start of the value, not at the current position), and lines
 *   are never re-flowed (kyaml's emitter has no line width).
 */

/**
 * `value` written as a `style` block scalar whose lines are indented by `indent` spaces, the header
 * followed by `comment` (without its `#`) when there is one.
 */
export function goYamlBlockScalar(value: string, style: 'literal' | 'folded', indent: number, comment?: string): string {
  const hints = blockScalarHints(value);
  let text = (style === 'literal' ? '|' : '>') + hints;
  let column = text.length;
  // After the header the emitter is not at the start of a line, unless a comment ended it.
  let indention = false;
  if (comment !== undefined) {
    text += ` #${comment}\n`;
    column = 0;
    indention = true;
  }
  let breaks = true;
  let leadingSpaces = true;
  const characters = [...value];
  const doubleBreaks = style === 'folded' && !startsWithBlank(characters);
  for (const character of characters) {
    if (character === '\n') {
      if (doubleBreaks && !breaks && !leadingSpaces) text += '\n';
      text += '\n';
      column = 0;
      indention = true;
      breaks = true;
      continue;
    }
    if (breaks) {
      if (!indention || column > indent) {
        text += '\n';
        column = 0;
      }
      text += ' '.repeat(Math.max(indent - column, 0));
      column = Math.max(column, indent);
      leadingSpaces = character === ' ' || character === '\t';
    }
    text += character;
    column += 1;
    indention = false;
    breaks = false;
  }
  return text;
}

/** go-yaml's indentation and chomping indicators for `value`. */
function blockScalarHints(value: string): string {
  const indentation = value.startsWith(' ') || value.startsWith('\n') ? '2' : '';
  if (!value.endsWith('\n')) return `${indentation}-`;
  if (value === '\n' || value.endsWith('\n\n')) return `${indentation}+`;
  return indentation;
}

/** The emitter's check, made at the start of the value: the first character after any line breaks is a blank or there is none. */
function startsWithBlank(characters: readonly string[]): boolean {
  const first = characters.find((character) => character !== '\n');
  return first === undefined || first === ' ' || first === '\t';
}
