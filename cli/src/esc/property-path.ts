/** Pulumi property paths (`a.b`, `a["b.c"]`, `a[0]`), as ESC and Pulumi config use them. */

/** One step of a path: a key or an index. */
export type PathSegment = string | number;

/** The segments of `path`; throws an Error naming the column of the first bad character. */
export function parsePropertyPath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let index = 0;
  const fail = (what: string): never => {
    throw new Error(`property path "${path}" ${what} at column ${index + 1}`);
  };
  while (index < path.length) {
    if (path[index] === '[') {
      const quoted = /^\["((?:[^"\\]|\\.)*)"\]/.exec(path.slice(index));
      const numbered = /^\[([0-9]+)\]/.exec(path.slice(index));
      if (quoted?.[1] !== undefined) {
        segments.push(JSON.parse(`"${quoted[1]}"`) as string);
        index += quoted[0].length;
      } else if (numbered?.[1] !== undefined) {
        segments.push(Number(numbered[1]));
        index += numbered[0].length;
      } else fail('has a bad [ ]');
    } else {
      if (segments.length > 0) {
        if (path[index] !== '.') fail('expects "." or "["');
        index++;
      }
      const key = /^[A-Za-z0-9_$-]+/.exec(path.slice(index))?.[0];
      if (!key) fail('expects a key');
      segments.push(key as string);
      index += (key as string).length;
    }
  }
  if (segments.length === 0) fail('is empty');
  return segments;
}
