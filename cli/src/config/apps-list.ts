/**
 * The apps: list of an environment.yaml as a cache key needs it, read without parsing the file when
 * the text is in block style without escapes (none of {@link SPELLED_OTHERWISE}): its apps: key is
 * then the line that starts with it (`yaml` refuses a quoted value whose lines go on at the start of a
 * line), its value the lines below that are indented, blank, comments or items at the key's column,
 * and each name in the list is spelled out as a run of the characters of a DNS label. Parsing a list
 * of 10,000 apps took 65 ms a run.
 */
import { parse } from 'yaml';

/**
 * What lets YAML spell a value otherwise than as the characters it holds, or put a key elsewhere than
 * at the start of a line: escapes, flow collections, anchors and aliases, tags, complex keys, block
 * scalars, directives and reserved indicators (quotes without escapes hold what they spell).
 */
const SPELLED_OTHERWISE = /[\\{}[\]&*!?|>%@`]/;

/** The line that starts the top-level apps: key. */
const APPS_KEY = /^apps[ \t]*:/m;

/**
 * The apps an environment.yaml may deploy: undefined (every app) without an apps: list or when it
 * cannot be read, else a superset of those it lists (without escapes and the like, every name the
 * text spells out; else the list as parsed).
 */
export function listedApps(environment: string): ReadonlySet<string> | undefined {
  if (!APPS_KEY.test(environment)) return undefined;
  if (!SPELLED_OTHERWISE.test(environment)) return new Set(environment.split(/[^a-z0-9-]+/));
  try {
    const apps = (parse(environment) as { apps?: unknown } | null)?.apps;
    return Array.isArray(apps) && apps.every((app) => typeof app === 'string') ? new Set(apps) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The environment.yaml text without its apps: list when it can be cut out without parsing (the rest
 * of the file then reads exactly as before), else the text itself: what an app's render depends on.
 */
export function withoutAppsList(environment: string): string {
  const key = APPS_KEY.exec(environment);
  if (!key || SPELLED_OTHERWISE.test(environment)) return environment;
  const lineEnd = environment.indexOf('\n', key.index);
  if (lineEnd === -1) return environment.slice(0, key.index);
  // The list runs to the next line that starts with anything but a space, a tab, a comment, nothing or
  // an item of a list written at the key's own column ("- web").
  const next = /^(?![ \t#\r\n]|-(?:[ \t\r\n]|$))/m.exec(environment.slice(lineEnd + 1));
  return `${environment.slice(0, key.index)}${next ? environment.slice(lineEnd + 1 + next.index) : ''}`;
}
