/** Text from objects and pins written into Markdown that GitHub renders: it stays text, whatever it holds. */

/** Line breaks, other control characters and Unicode line/paragraph separators. */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029]/gu;

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` as the content of a Markdown code span (put it between single backticks): a backtick
 * cannot end the span early, and a line break or other control character is shown as its escape
 * (`\n`), so no blank line can end the paragraph and let raw HTML (`<!--`, `<details>`) through.
 */
export function codeSpanText(text: string): string {
  return text.replaceAll('`', "'").replace(UNPRINTABLE, (char) => ESCAPES[char] ?? `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`);
}
