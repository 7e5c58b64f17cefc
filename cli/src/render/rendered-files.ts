/** The files of a rendered environment by path, each file's bytes read only when asked for. */

/** A file's bytes, or something that reads them when asked (an object remembered from an earlier run). */
export type FileSource = string | { readonly bytes: string };

/**
 * Bytes by path, as a map; a file whose source is an object is read from it on first `get` (a run
 * that compares by hash never reads the bytes of files that did not change). Iterating the entries
 * reads every file.
 */
export class RenderedFiles implements ReadonlyMap<string, string> {
  constructor(private readonly sources: ReadonlyMap<string, FileSource>) {}

  get size(): number {
    return this.sources.size;
  }

  has(path: string): boolean {
    return this.sources.has(path);
  }

  get(path: string): string | undefined {
    const source = this.sources.get(path);
    return typeof source === 'object' ? source.bytes : source;
  }

  keys(): MapIterator<string> {
    return this.sources.keys();
  }

  *entries(): MapIterator<[string, string]> {
    for (const [path, source] of this.sources) yield [path, typeof source === 'object' ? source.bytes : source];
  }

  *values(): MapIterator<string> {
    for (const [, bytes] of this.entries()) yield bytes;
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }

  forEach(callback: (bytes: string, path: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [path, bytes] of this.entries()) callback(bytes, path, this);
  }

  /** These files with `path` added (or replaced) by `bytes`, still read when asked for. */
  with(path: string, bytes: string): RenderedFiles {
    return new RenderedFiles(new Map<string, FileSource>(this.sources).set(path, bytes));
  }
}
