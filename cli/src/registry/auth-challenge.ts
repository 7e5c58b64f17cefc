/** Parses `WWW-Authenticate` headers (RFC 7235): every challenge, quoted parameters may hold commas. */

/** One challenge: its scheme (lower-cased) and parameters. */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/** Every challenge in `header`, e.g. `Bearer realm="…",service="…", Basic realm="…"`. */
export function parseAuthChallenges(header: string | null): AuthChallenge[] {
  if (!header) return [];
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let rest = header.trim();
  while (rest.length > 0) {
    const word = TOKEN.exec(rest)?.[0];
    if (!word) {
      rest = rest.slice(1).trimStart();
      continue;
    }
    const afterWord = rest.slice(word.length);
    const param = /^\s*=\s*/.exec(afterWord);
    const current = challenges.at(-1);
    if (param && current) {
      rest = afterWord.slice(param[0].length);
      let value: string;
      if (rest.startsWith('"')) {
        let end = 1;
        value = '';
        while (end < rest.length && rest[end] !== '"') {
          if (rest[end] === '\\') end++;
          value += rest[end] ?? '';
          end++;
        }
        rest = rest.slice(end + 1);
      } else {
        value = TOKEN.exec(rest)?.[0] ?? '';
        rest = rest.slice(value.length);
      }
      current.params[word.toLowerCase()] = value;
    } else {
      challenges.push({ scheme: word.toLowerCase(), params: {} });
      rest = afterWord;
    }
    rest = rest.replace(/^\s*,?\s*/, '');
  }
  return challenges;
}
