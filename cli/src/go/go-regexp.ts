/**
 * Go's regexp as sprig's regex functions use it (`MatchString`, `FindString`, `FindAllString`,
 * `ReplaceAllString`, `ReplaceAllLiteralString`, `Split`, `QuoteMeta`): RE2 syntax through re2js, and
 * Go's own rules on top of it where they differ from other engines — successive non-overlapping
 * matches with an empty match right after a match skipped, replacement templates expanded as Go's
 * `Expand` does (`$1`, `$name`, `${name}`, `$$`; a name runs as long as letters, digits and `_`).
 */
import { RE2JS } from 're2js';

/** One match: where it starts and ends, and each group's text (undefined when it did not take part). */
interface Match {
  readonly start: number;
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
}

/** A compiled Go regular expression. */
export class GoRegexp {
  private readonly pattern: RE2JS;
  private readonly names: Readonly<Record<string, number>>;

  /** Throws on a pattern Go would not compile (sprig's functions then fail the template). */
  constructor(readonly source: string) {
    this.pattern = RE2JS.compile(source);
    this.names = this.pattern.namedGroups();
  }

  /** `MatchString`: whether the pattern matches anywhere in `input`. */
  matches(input: string): boolean {
    return this.matchAt(input, 0) !== undefined;
  }

  /** `FindAllString(input, limit)`: successive matches, at most `limit` (all when negative). */
  findAll(input: string, limit: number): Match[] {
    const found: Match[] = [];
    const max = limit < 0 ? input.length + 1 : limit;
    let previousEnd = -1;
    for (let position = 0; found.length < max && position <= input.length; ) {
      const match = this.matchAt(input, position);
      if (!match) break;
      // An empty match right after the previous match is not one.
      const accepted = !(match.end === position && match.start === previousEnd);
      position = match.end === position ? position + runeWidth(input, position) : match.end;
      previousEnd = match.end;
      if (accepted) found.push(match);
    }
    return found;
  }

  /** `ReplaceAllString` (`literal`: `ReplaceAllLiteralString`): every match replaced by `replacement`. */
  replaceAll(input: string, replacement: string, literal = false): string {
    let out = '';
    let lastEnd = 0;
    for (let position = 0; position <= input.length; ) {
      const match = this.matchAt(input, position);
      if (!match) break;
      out += input.slice(lastEnd, match.start);
      // No second replacement for an empty match right after a match.
      if (match.end > lastEnd || match.start === 0) out += literal ? replacement : this.expand(replacement, match);
      lastEnd = match.end;
      const width = runeWidth(input, position);
      position = position + width > match.end ? position + width : position + 1 > match.end ? position + 1 : match.end;
    }
    return out + input.slice(lastEnd);
  }

  /** `Split(input, limit)`: the text between matches, at most `limit` parts (all when negative, none for 0). */
  split(input: string, limit: number): string[] {
    if (limit === 0) return [];
    if (this.source.length > 0 && input.length === 0) return [''];
    const parts: string[] = [];
    let begin = 0;
    let end = 0;
    for (const match of this.findAll(input, limit)) {
      if (limit > 0 && parts.length === limit - 1) break;
      end = match.start;
      if (match.end !== 0) parts.push(input.slice(begin, end));
      begin = match.end;
    }
    if (end !== input.length) parts.push(input.slice(begin));
    return parts;
  }

  private matchAt(input: string, position: number): Match | undefined {
    const matcher = this.pattern.matcher(input);
    if (!matcher.find(position)) return undefined;
    const groups = Array.from({ length: matcher.groupCount() + 1 }, (_, group) => matcher.group(group) ?? undefined);
    return { start: matcher.start(), end: matcher.end(), groups };
  }

  /** Go's `Expand` of `template` for `match`. */
  private expand(template: string, match: Match): string {
    let out = '';
    let rest = template;
    for (let dollar = rest.indexOf('$'); dollar >= 0; dollar = rest.indexOf('$')) {
      out += rest.slice(0, dollar);
      rest = rest.slice(dollar + 1);
      if (rest.startsWith('$')) {
        out += '$';
        rest = rest.slice(1);
        continue;
      }
      const reference = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
      if (!reference) {
        // Malformed: the $ is text.
        out += '$';
        continue;
      }
      rest = rest.slice(reference[0].length);
      const name = reference[1] ?? reference[2] ?? '';
      const number = /^(0|[1-9][0-9]{0,7})$/.test(name) ? Number(name) : -1;
      const group = number >= 0 ? number : this.names[name];
      out += group === undefined ? '' : (match.groups[group] ?? '');
    }
    return out + rest;
  }
}

/** `QuoteMeta`: `text` with every regular expression metacharacter escaped. */
export function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** How many UTF-16 units the character at `position` takes (1 at the end, as Go steps past it). */
function runeWidth(input: string, position: number): number {
  const code = input.codePointAt(position);
  return code !== undefined && code > 0xffff ? 2 : 1;
}
