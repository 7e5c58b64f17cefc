/**
 * The part of an environment.yaml an app's render depends on, as a render key holds it: the text
 * without its apps: list (see apps-list.ts) and without comments, so that listing an app or editing a
 * comment renders no app again. Comments are found by `yaml`'s own lexer, as its parser finds them
 * (never inside a quoted scalar), in a text without block scalars: a comment line goes with its line
 * end, a trailing comment with the space before it, and every value reads as it did.
 */
import { CST, Lexer } from 'yaml';
import { withoutAppsList } from './apps-list.ts';

/** The lexer's markers of a document, a flow's end and a scalar: not text of the file. */
const MARKERS = new Set([CST.BOM, CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);

/** `environment` without its apps: list and its comments (or with them, when it has a block scalar). */
export function renderedSettings(environment: string): string {
  const text = withoutAppsList(environment);
  if (!text.includes('#') || /[|>]/.test(text)) return text;
  const kept: string[] = [];
  let dropLineEnd = false;
  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token)) continue;
    const type = CST.tokenType(token);
    if (dropLineEnd && type === 'newline') {
      dropLineEnd = false;
      continue;
    }
    dropLineEnd = false;
    if (type !== 'comment') {
      kept.push(token);
      continue;
    }
    if (kept.length > 0 && CST.tokenType(kept[kept.length - 1] ?? '') === 'space') kept.pop();
    // Alone on its line: the line goes too.
    dropLineEnd = kept.length === 0 || CST.tokenType(kept[kept.length - 1] ?? '') === 'newline';
  }
  return kept.join('');
}
