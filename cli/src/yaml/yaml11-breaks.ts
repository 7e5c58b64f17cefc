/**
 * YAML 1.1's line breaks as go-yaml v3's scanner reads them. go-yaml counts NEL (U+0085), LS (U+2028)
 * and PS (U+2029) as line breaks, where npm `yaml` (YAML 1.2) reads them as characters: to go-yaml
 * they end a line, a comment, a key. Inside a plain or quoted scalar (scannerc.go:
 * yaml_parser_scan_plain_scalar, _scan_flow_scalar) they fold like a line feed: the blanks around a
 * break go, a NEL (read as a line feed) alone becomes a space and the breaks after it stay, while an
 * LS or PS stays itself, followed by the breaks after it.
 */

import { type Document, parseDocument, visit } from 'yaml';

const YAML11_BREAKS = /[\u0085\u2028\u2029]/g;

/** Whether go-yaml reads `text` differently from npm `yaml` because it holds a YAML 1.1 line break. */
export function holdsYaml11Break(text: string): boolean {
  YAML11_BREAKS.lastIndex = 0;
  return YAML11_BREAKS.test(text);
}

/**
 * `text` with each YAML 1.1 line break outside quoted scalars a line feed (same length, so offsets
 * hold): the lines go-yaml reads. Breaks inside quotes stay characters (go-yaml folds them, and
 * {@link readYaml11Scalars} gives the scalars that value), since go-yaml, unlike npm `yaml`, does not
 * ask a quoted scalar's next lines to be indented. The quoted scalars are those npm `yaml` finds
 * reading the breaks as characters; when it cannot read the text so, every break becomes a line feed.
 */
export function yaml11Lines(text: string): string {
  const quoted: [number, number][] = [];
  const asCharacters = parseDocument(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false });
  if (asCharacters.errors.length === 0) {
    visit(asCharacters, {
      Scalar(_key, scalar) {
        if ((scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE') && scalar.range) quoted.push([scalar.range[0], scalar.range[1]]);
      },
    });
  }
  return text.replace(YAML11_BREAKS, (found, at: number) => (quoted.some(([start, end]) => at >= start && at < end) ? found : '\n'));
}

/**
 * Gives the plain and quoted scalars of `document` that hold NEL, LS or PS the value go-yaml folds
 * from their source in `text`; false when go-yaml refuses the document, as it does for such a scalar
 * as an implicit key (a key on one line cannot hold a line break).
 */
export function readYaml11Scalars(document: Document.Parsed, text: string): boolean {
  let refused = false;
  visit(document, {
    Scalar(key, scalar) {
      if (scalar.type !== 'PLAIN' && scalar.type !== 'QUOTE_DOUBLE' && scalar.type !== 'QUOTE_SINGLE') return undefined;
      const [start, end] = scalar.range ?? [0, 0];
      const raw = text.slice(start, end);
      if (!holdsYaml11Break(raw)) return undefined;
      if (key === 'key' && !EXPLICIT_KEY_BEFORE.test(text.slice(text.lastIndexOf('\n', start) + 1, start))) {
        refused = true;
        return visit.BREAK;
      }
      scalar.value = goYamlScalarValue(raw);
      return undefined;
    },
  });
  return !refused;
}

/** What stands before an explicit key on its line: `?`, then its anchor and tag if any. */
const EXPLICIT_KEY_BEFORE = /\?(?:[ \t]+[&!]\S*)*[ \t]*$/;

const BREAK = /[\n\r\u0085\u2028\u2029]/;
const BLANK = /[ \t]/;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPES: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/**
 * The value go-yaml reads from `raw`, the source of one plain or quoted scalar (quotes included, as
 * npm `yaml` parsed it: escapes are known to be valid).
 */
export function goYamlScalarValue(raw: string): string {
  const single = raw.startsWith("'");
  const double = raw.startsWith('"');
  const quote = single ? "'" : double ? '"' : undefined;
  let at = quote === undefined ? 0 : 1;
  let value = '';
  /** The break a line break reads as: a line feed, or an LS or PS itself. */
  const readBreak = (): string => {
    const char = raw[at] as string;
    at += char === '\r' && raw[at + 1] === '\n' ? 2 : 1;
    return char === '\u2028' || char === '\u2029' ? char : '\n';
  };
  for (;;) {
    let leadingBlanks = false;
    while (at < raw.length && !BLANK.test(raw[at] as string) && !BREAK.test(raw[at] as string)) {
      const char = raw[at] as string;
      if (single && char === "'" && raw[at + 1] === "'") {
        value += "'";
        at += 2;
      } else if (char === quote) {
        break;
      } else if (double && char === '\\' && BREAK.test(raw[at + 1] ?? '')) {
        // An escaped line break: nothing is written for it, and the blanks after it go.
        at += 1;
        readBreak();
        leadingBlanks = true;
        break;
      } else if (double && char === '\\') {
        const escaped = raw[at + 1] as string;
        const length = HEX_ESCAPES[escaped];
        if (length === undefined) {
          value += SIMPLE_ESCAPES[escaped] ?? escaped;
          at += 2;
        } else {
          value += String.fromCodePoint(Number.parseInt(raw.slice(at + 2, at + 2 + length), 16));
          at += 2 + length;
        }
      } else {
        const codePoint = raw.codePointAt(at) as number;
        value += String.fromCodePoint(codePoint);
        at += codePoint > 0xffff ? 2 : 1;
      }
    }
    if (at >= raw.length || raw[at] === quote) return value;
    let whitespace = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    while (at < raw.length && (BLANK.test(raw[at] as string) || BREAK.test(raw[at] as string))) {
      if (BLANK.test(raw[at] as string)) {
        if (!leadingBlanks) whitespace += raw[at];
        at += 1;
      } else if (!leadingBlanks) {
        whitespace = '';
        leadingBreak = readBreak();
        leadingBlanks = true;
      } else {
        trailingBreaks += readBreak();
      }
    }
    if (!leadingBlanks) value += whitespace;
    else if (leadingBreak === '\n') value += trailingBreaks === '' ? ' ' : trailingBreaks;
    else value += leadingBreak + trailingBreaks;
  }
}
