/**
 * A generated corpus of YAML documents for the go-yaml differential test: block mappings and sequences
 * (wide sequence style) nested three deep, keys and scalars in every style that means something to
 * YAML 1.1 and go-yaml (numbers, booleans, `<<`, indicators, quotes, leading and trailing spaces, empty,
 * non-ASCII, tabs, U+2028, NEL), block scalars with every chomping indicator, flow collections,
 * comments above, after and below entries, blank lines, anchors, aliases, tags and merge keys.
 * Deterministic: document `n` is the same bytes on any machine.
 *
 * Some classes are left out because the simulation does not write them as go-yaml does yet
 * ({@link UNREPRODUCED}, listed in docs/flux-setters.md §6); the test proves everything else.
 */

import { seededRandom } from '../../cli/src/testing/seeded-random.ts';

/** A class of YAML the generator can leave out. */
export type CorpusClass =
  | 'comment lines between a key comment and its value'
  | 'comment after the last node'
  | 'raw NEL or U+2028 in a scalar'
  | 'anchor'
  | 'tag'
  | 'blank line between entries'
  | 'folded block scalar';

/** The classes the simulation does not reproduce yet: the corpus leaves them out. */
export const UNREPRODUCED: ReadonlySet<CorpusClass> = new Set<CorpusClass>(['comment after the last node']);

const WORDS = [
  'alpha',
  'beta',
  'web',
  'api',
  'main',
  'x',
  'name',
  'port',
  'true',
  'yes',
  'no',
  'on',
  'OFF',
  'Y',
  'n',
  'null',
  '~',
  '12',
  '1.5',
  '0o17',
  '0x1F',
  '1e3',
  '.inf',
  'NaN',
  '.nan',
  '+1',
  '-1',
  '0',
  '2024-01-01',
  'a b',
  'a: b',
  'a #b',
  'a#b',
  '-x',
  '- x',
  '?x',
  '"q"',
  "'s'",
  '@at',
  '`tick',
  '%p',
  '!bang',
  '&amp',
  '*star',
  '[x]',
  '{x}',
  'a,b',
  '=',
  '<<',
  '',
  ' lead',
  'trail ',
  'ünï',
  'tab\there',
];
const LINE_BREAK_WORDS = ['line\u2028sep', 'é\u0085', 'a \u2028 b', 'x\u0085\u0085y', 'end\u2029', 'p\u2029\u0085q'];
const BLOCK_LINES = ['text', 'more text', '  indented', '', 'a: b', '# not a comment', '- not a list', 'tab\tinside', 'tab\t', '\ttab first'];
const KEYS = ['a', 'b', 'name', 'image', 'spec', 'items', 'x-y', 'k1', 'key with space', '"quoted key"', "'single'", '1', 'true', 'on'];
const COMMENTS = ['# note', '# {"$imagepolicy": "flux-system:p"}', '#tight', '# a: b', '# ü'];

/** Document `index` of the corpus, without the classes in `excluded`. */
export function corpusDocument(index: number, excluded: ReadonlySet<CorpusClass> = UNREPRODUCED): string {
  const r = seededRandom(index * 7919 + 1);
  const has = (what: CorpusClass) => !excluded.has(what);
  const words = [...WORDS, ...(has('raw NEL or U+2028 in a scalar') ? LINE_BREAK_WORDS : [])];
  const anchors: string[] = [];

  const plainOrQuoted = (word: string) => (/^[A-Za-z][A-Za-z0-9 ._-]*$/.test(word) && !word.endsWith(' ') ? word : JSON.stringify(word));

  const blockScalar = (indent: number): string => {
    const chomping = ['', '-', '+'];
    const indicator = `${has('folded block scalar') && r.chance(0.5) ? '>' : '|'}${r.pick(chomping)}`;
    const lines = Array.from({ length: 1 + r.int(3) }, () => r.pick(BLOCK_LINES));
    if (lines[0]?.startsWith(' ') || lines[0] === '') lines[0] = 'first';
    return `${indicator}\n${lines.map((line) => (line ? ' '.repeat(indent + 2) + line : '')).join('\n')}`;
  };

  const scalar = (indent: number): string => {
    const word = r.pick(words);
    const style = r.int(10);
    if (style < 5) return plainOrQuoted(word);
    if (style < 7) return `'${word.replace(/'/g, "''")}'`;
    if (style < 9) return JSON.stringify(word);
    return blockScalar(indent);
  };

  /** The value after `key:` or `- ` at `indent`: inline text, and the block below it if any. */
  const node = (indent: number, depth: number): { inline: string; block?: string } => {
    const props: string[] = [];
    if (has('anchor') && r.chance(0.08)) {
      anchors.push(`a${anchors.length}`);
      props.push(`&${anchors.at(-1)}`);
    }
    const tag = has('tag') && r.chance(0.06) ? r.pick(['!!str', '!custom']) : undefined;
    if (tag) props.push(tag);
    const prefix = props.map((prop) => `${prop} `).join('');
    const kind = depth >= 3 || tag === '!!str' ? 0 : r.int(10);
    if (kind < 5) {
      if (has('anchor') && anchors.length > 1 && props.length === 0 && r.chance(0.1)) return { inline: `*${r.pick(anchors.slice(0, -1))}` };
      return { inline: `${prefix}${scalar(indent)}` };
    }
    if (kind < 6) return { inline: `${prefix}[${Array.from({ length: r.int(3) }, () => plainOrQuoted(r.pick(words))).join(', ')}]` };
    if (kind < 7) {
      const pairs = ['a', 'b', 'c'].slice(0, r.int(3)).map((key) => `${key}: ${plainOrQuoted(r.pick(words))}`);
      return { inline: `${prefix}{${pairs.join(', ')}}` };
    }
    if (kind < 9) return { inline: prefix.trim(), block: mapping(indent + 2, depth + 1) };
    return { inline: prefix.trim(), block: sequence(indent + 2, depth + 1) };
  };

  const entry = (pad: string, head: string, value: { inline: string; block?: string }): string[] => {
    const blockStart = /^(?:[&!]\S*\s+)*[|>]/.test(value.inline);
    const trailing = r.chance(0.15) && !blockStart && value.block === undefined ? ` ${r.pick(COMMENTS)}` : '';
    return [`${pad}${head}${value.inline ? ` ${value.inline}` : ''}${trailing}`, ...(value.block === undefined ? [] : [value.block])];
  };

  const mapping = (indent: number, depth: number): string => {
    const pad = ' '.repeat(indent);
    const used = new Set<string>();
    const lines: string[] = [];
    for (let count = 1 + r.int(4), i = 0; i < count; i++) {
      let key = r.pick(KEYS);
      while (used.has(key)) key = key.replace(/(["']?)$/, 'x$1');
      used.add(key);
      if (r.chance(0.12)) lines.push(`${pad}${r.pick(COMMENTS)}`);
      if (has('blank line between entries') && r.chance(0.06)) lines.push('');
      if (anchors.length > 0 && r.chance(0.05)) {
        lines.push(`${pad}<<: *${r.pick(anchors)}`);
        continue;
      }
      if (r.chance(0.04)) {
        const value = node(indent, depth);
        const commentedBlock = value.block?.trimStart().startsWith('#') === true;
        const allowed = !commentedBlock || has('comment lines between a key comment and its value');
        const comment = r.chance(0.5) && allowed ? ` ${r.pick(COMMENTS)}` : '';
        lines.push(`${pad}? ${key}${comment}`, ...entry(pad, ':', value));
        continue;
      }
      lines.push(...entry(pad, `${key}:`, node(indent, depth)));
    }
    if (has('comment after the last node') && r.chance(0.08)) lines.push(`${pad}${r.pick(COMMENTS)}`);
    return lines.join('\n');
  };

  const sequence = (indent: number, depth: number): string => {
    const pad = ' '.repeat(indent);
    const lines: string[] = [];
    for (let count = 1 + r.int(3), i = 0; i < count; i++) {
      const comment = r.chance(0.1) ? `${pad}${r.pick(COMMENTS)}` : undefined;
      const value = node(indent, depth);
      const nested = value.block?.trimStart().startsWith('-') === true;
      if (comment) lines.push(comment);
      if (value.block !== undefined && value.inline === '' && !nested) {
        // A mapping as a sequence item: its first key on the dash line.
        const block = value.block.split('\n');
        const first = block.findIndex((line) => line.trim() !== '' && !line.trim().startsWith('#'));
        lines.push(
          ...block.slice(0, first).map((line) => (line ? `${pad}${line.trimStart()}` : '')),
          `${pad}- ${block[first]?.trimStart()}`,
          ...block.slice(first + 1),
        );
        continue;
      }
      lines.push(...entry(pad, '-', value));
    }
    return lines.join('\n');
  };

  const head = r.chance(0.15) ? `${r.pick(COMMENTS)}\n` : '';
  const body = r.chance(0.85) ? mapping(0, 0) : sequence(0, 0);
  const foot = has('comment after the last node') && r.chance(0.15) ? `\n${r.chance(0.5) ? '\n' : ''}${r.pick(COMMENTS)}` : '';
  return `${head}${body}${foot}\n`;
}
