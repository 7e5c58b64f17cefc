import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { seededRandom } from '../testing/seeded-random.ts';
import { renderedSettings } from './render-settings.ts';

/**
 * An environment.yaml as lines, each a setting's line with whether a trailing comment may follow it:
 * nested mappings, quoted values holding ` # `, a double-quoted value over several lines one of
 * which looks like a comment, and an apps: list.
 */
function settingsLines(seed: number): { readonly line: string; readonly value: boolean }[] {
  const { int, chance } = seededRandom(seed);
  const blocks = [
    [`namespace: acme-${int(9)}`],
    [`domain: "dev${int(9)}.acme.example # not a comment"`],
    ['sizes:', '  small:', `    replicas: ${1 + int(3)}`, `    cpu: "${1 + int(3)}"`],
    ['esc:', `  project: 'platform # kept'`, '  environment: "first line', '    # inside the quotes', '    last line"'],
    ['url: https://git.example/acme#main'],
    ['apps:', '  - web', '  - api'],
  ].filter(() => chance(0.8));
  const lines = blocks.sort(() => (chance(0.5) ? 1 : -1)).flat();
  return lines.map((line) => ({
    line,
    value: !/:$/.test(line) && !line.includes('"first line') && !line.includes('inside the quotes') && !line.endsWith('line"'),
  }));
}

/** The lines with comments added (whole lines at any indentation, and after values), as `seed` picks them. */
function commented(lines: readonly { line: string; value: boolean }[], seed: number, lineEnd: string): string {
  const { int, pick, chance } = seededRandom(seed);
  let text = chance(0.5) ? `# yaml-language-server: $schema=environment.schema.json${lineEnd}` : '';
  for (const { line, value } of lines) {
    const inQuotes = line.includes('inside the quotes') || line.endsWith('line"');
    if (!inQuotes && chance(0.3)) text += `${' '.repeat(int(5))}# ${pick(['note', 'it is "quoted"', 'a: b', '- item'])}${lineEnd}`;
    text += `${line}${value && chance(0.3) ? ` # ${pick(['why', '#again', 'x: y'])}` : ''}${lineEnd}`;
  }
  return text;
}

describe('the settings an app renders with', () => {
  it('reads the same whatever the comments, and the file reads the same without them', () => {
    for (let seed = 1; seed <= 1500; seed++) {
      const lines = settingsLines(seed);
      const lineEnd = seed % 5 === 0 ? '\r\n' : '\n';
      const plain = renderedSettings(commented(lines, 0, lineEnd));
      for (const variant of [seed * 7 + 1, seed * 7 + 2]) {
        const text = commented(lines, variant, lineEnd);
        const { apps: _apps, ...rest } = parse(text) as Record<string, unknown>;
        expect(renderedSettings(text), text).toBe(plain);
        expect(parse(renderedSettings(text)) ?? {}, text).toEqual(rest);
      }
    }
  });

  it('keeps a value that changed, and keeps every comment of a text with a block scalar', () => {
    expect(renderedSettings('namespace: a # one\n')).not.toBe(renderedSettings('namespace: b # one\n'));
    expect(renderedSettings('domain: "a # b"\n')).not.toBe(renderedSettings('domain: "a"\n'));
    const block = 'note: |\n  # kept\n  text\n';
    expect(renderedSettings(block)).toBe(block);
  });
});
