/**
 * Text a server sent (an error detail, a request id) made safe to print: a registry or ESC answer may
 * carry terminal escapes, forged lines (`::set-output` in an Actions log) or echo the credentials
 * the request carried.
 */

/** `text` on one line without control characters, `secrets` replaced by `***`, at most `max` characters. */
export function serverText(text: string, secrets: readonly string[] = [], max = 200): string {
  let clean = text.replace(/\p{Cc}+/gu, ' ').trim();
  for (const secret of secrets) if (secret.length >= 4) clean = clean.split(secret).join('***');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * A request id as services write them (letters, digits, `-_.:`), or undefined for anything else,
 * and for one that holds any of `secrets` (a server echoing the credentials as an "id").
 */
export function requestId(value: string | null | undefined, secrets: readonly string[] = []): string | undefined {
  if (!value || !/^[A-Za-z0-9._:-]{1,128}$/.test(value)) return undefined;
  return secrets.some((secret) => secret.length >= 4 && value.includes(secret)) ? undefined : value;
}
